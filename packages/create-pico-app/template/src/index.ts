/** This app's pico module: Application loads every decorated class exported here. */
export { AppController } from "./app-controller.js";
export { Greeter } from "./greeter.js";

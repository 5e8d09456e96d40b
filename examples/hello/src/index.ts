/** The hello module: everything exported here with a pico decorator is loaded by `moduleNames: ["hello"]`. */
export { GreetingSettings } from "./greeting-settings.js";
export { GreetingService } from "./greeting-service.js";
export { HelloController } from "./hello-controller.js";

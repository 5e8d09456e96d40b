/** The `my_app` module: its exported controllers are loaded by `moduleNames: [..., "my_app"]`. */
export { MyController } from "./my-controller.js";

/** The `standalone_example` module: the API service loads its controllers with `moduleNames: [..., "standalone_example"]`. */
export { MyController } from "./my-controller.js";

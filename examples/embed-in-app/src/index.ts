/** The `my_app` module: its exported controllers and components are loaded by `moduleNames: [..., "my_app"]`. */
export { MyController } from "./my-controller.js";
export { SignInPage } from "./sign-in-page.js";

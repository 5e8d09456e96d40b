import { configured, setting } from "pico-ioc";

/** The `hello` config section; `HELLO__GREETING=Hi` overrides it from the environment. */
@configured("hello")
export class GreetingSettings {
  @setting({ description: "Word used to greet" })
  greeting: string = "Hello";
}

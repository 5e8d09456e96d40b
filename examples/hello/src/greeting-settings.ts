import { configured, setting } from "pico-ioc";
import type { SettingsSection } from "pico-ioc";

/** The `hello` config section; `HELLO__GREETING=Hi` overrides it from the environment. */
@configured("hello")
export class GreetingSettings {
  @setting({ description: "Word used to greet" })
  greeting: string = "Hello";
}

// Registers the `hello` section for `moduleNames: ["hello"]`, so `config.hello` is type-checked.
declare module "pico-ioc" {
  interface PicoModuleSections {
    hello: { readonly hello?: SettingsSection<GreetingSettings> };
  }
}

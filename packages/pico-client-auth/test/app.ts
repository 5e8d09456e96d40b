import { fileURLToPath } from "node:url";
import { Application } from "pico-boot";
import type { ApplicationOptions } from "pico-boot";
import type { Constructor } from "pico-ioc";
import { KEY_SOURCE } from "../src/index.js";
import type { KeySource } from "../src/index.js";

/** This package's own directory: Application resolves "pico_client_auth" from here by self-reference. */
export const packageRoot = fileURLToPath(new URL("..", import.meta.url));

export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export const authConfig = { issuer: "https://auth.example.com", audience: "my-api" };

/** An Application with pico-client-auth loaded as a module, the given controllers and key source. */
export function authApp(components: Constructor[], keySource: KeySource, options: Partial<ApplicationOptions> = {}): Application {
  return new Application({
    moduleNames: ["pico_client_auth"],
    root: packageRoot,
    components,
    config: { auth_client: authConfig },
    env: {},
    envFile: false,
    logger: quiet,
    ...options,
    overrides: [{ provide: KEY_SOURCE, useValue: keySource }, ...(options.overrides ?? [])],
  });
}

export function bearer(token: string): RequestInit {
  return { headers: { authorization: `Bearer ${token}` } };
}

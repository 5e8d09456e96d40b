import { Application } from "pico-boot";
import { apiServiceConfig } from "./config.js";
import { stopWithLauncher } from "./launcher-link.js";

const { config, port } = apiServiceConfig();

const app = new Application({
  moduleNames: [
    "pico_client_auth", // validates bearer tokens against the auth service's JWKS
    "standalone_example", // this package: MyController
  ],
  config,
  root: import.meta.url,
  // pico-server-auth is installed in this package too (for the auth service) and marks itself a
  // plugin: without this, discovery would load it here and the API would issue tokens itself.
  autoPlugins: false,
});

await app.run({ port });
stopWithLauncher();

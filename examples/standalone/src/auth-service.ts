import { Application } from "pico-boot";
import { ADMIN_EMAIL, authServiceConfig } from "./config.js";
import { stopWithLauncher } from "./launcher-link.js";

const { config, generatedPassword, port } = authServiceConfig();

const app = new Application({
  moduleNames: ["pico_server_auth"], // /api/v1/auth/*: issues tokens, publishes the JWKS
  config,
  root: import.meta.url,
  // pico-client-auth is installed in this package too (for the API) and marks itself a plugin:
  // without this, discovery would load it here as well and this process would stop being auth-only.
  autoPlugins: false,
});

await app.run({ port });
stopWithLauncher();

// Printed once the service listens (a failed boot prints nothing else), never through the logger.
if (generatedPassword) {
  process.stdout.write(`Admin login: ${ADMIN_EMAIL} / ${generatedPassword} (generated for this run; set SERVER_AUTH__ADMIN_PASSWORD to choose one)\n`);
}

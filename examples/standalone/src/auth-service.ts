import { Application, isPrimaryProcess } from "pico-boot";
import { authServiceConfig, generatedPasswordNotice, showGeneratedPassword } from "./config.js";
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

// Announced once the service listens (a failed boot prints nothing else), on stderr and never
// through the logger, by the primary only when WORKERS runs several processes (the workers use its
// password). This stderr is a pipe to the launcher: it sets SHOW_GENERATED_PASSWORD=1 when its own
// stderr is a terminal.
if (generatedPassword && isPrimaryProcess()) process.stderr.write(generatedPasswordNotice(generatedPassword, showGeneratedPassword(process.env)));

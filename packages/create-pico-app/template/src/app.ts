import { Application, isPrimaryProcess, loadEnvironment } from "pico-boot";
import { APP_NAME, appConfig, generatedPasswordNotice } from "./config.js";

// process.env over ./.env, as Application reads it: a PORT set in .env moves the issuer too.
let env: ReturnType<typeof loadEnvironment>;
try {
  env = loadEnvironment();
} catch (error) {
  process.stderr.write(`${APP_NAME}: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const { config, generatedPassword } = appConfig(env);

const app = new Application({
  moduleNames: [
    "pico_server_auth", // /api/v1/auth/*: issues tokens (wallet sign-in, admin login, JWKS)
    "pico_client_auth", // checks the bearer token of every request
    APP_NAME, // this package: src/index.ts exports the controllers and components
  ],
  config,
  env,
});

// Listens on HOST:PORT (default 127.0.0.1:8100); SIGINT/SIGTERM stop it gracefully.
await app.run();

// Once listening, on stderr, never through the logger (log lines are kept and shipped). Only by
// the primary: with WORKERS=N every worker runs this file too.
if (generatedPassword && isPrimaryProcess()) process.stderr.write(generatedPasswordNotice(generatedPassword, env));

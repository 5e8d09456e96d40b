import { Application, loadEnvironment } from "pico-boot";
import { generatedPasswordNotice, seedConfig, showGeneratedPassword } from "./config.js";

// process.env over ./.env, as Application reads it: a PORT or HOST set in .env moves the issuer too.
const env = loadEnvironment();
const { config, generatedPassword } = seedConfig(env);

const app = new Application({
  moduleNames: [
    "pico_server_auth", // /api/v1/auth/* endpoints (issue tokens)
    "pico_client_auth", // JWT validation middleware (validate tokens)
    "my_app", // Your controllers
  ],
  config,
  env,
});

await app.run();

// Announced once the server listens (a failed boot prints nothing else), on stderr and never
// through the logger: log lines are kept and shipped, a password must not be.
if (generatedPassword) process.stderr.write(generatedPasswordNotice(generatedPassword, showGeneratedPassword(env)));

import { Application, isPrimaryProcess, loadEnvironment } from "pico-boot";
import { generatedPasswordNotice, seedConfig, showGeneratedPassword } from "./config.js";

// process.env over ./.env, as Application reads it: a PORT or HOST set in .env moves the issuer too.
let env: ReturnType<typeof loadEnvironment>;
try {
  env = loadEnvironment();
} catch (error) {
  // The env file is read here, before the Application exists: report it as run() reports a boot error.
  process.stderr.write(`pico-boot: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
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

// WORKERS=N (0: one per core) serves with N processes on one port; this process is then their
// primary, and every worker runs this file too, with the primary's config (its generated password).
await app.run();

// Announced once the server listens (a failed boot prints nothing else), on stderr and never
// through the logger: log lines are kept and shipped, a password must not be. Only by the primary:
// a worker's own generated password is not the one in use.
if (generatedPassword && isPrimaryProcess()) process.stderr.write(generatedPasswordNotice(generatedPassword, showGeneratedPassword(env)));

import { Application } from "pico-boot";
import { seedConfig } from "./config.js";

const { config, generatedPassword } = seedConfig();

const app = new Application({
  moduleNames: [
    "pico_server_auth", // /api/v1/auth/* endpoints (issue tokens)
    "pico_client_auth", // JWT validation middleware (validate tokens)
    "my_app", // Your controllers
  ],
  config,
});

if (generatedPassword) {
  console.log(`Admin login: admin@example.com / ${generatedPassword} (generated for this run; set SERVER_AUTH__ADMIN_PASSWORD to choose one)`);
}

await app.run();

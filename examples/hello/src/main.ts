import { Application } from "pico-boot";

const app = new Application({
  moduleNames: ["hello"],
  config: { hello: { greeting: "Hello" } },
});

await app.run();

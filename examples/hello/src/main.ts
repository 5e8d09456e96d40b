import { Application } from "pico-boot";

const app = new Application({
  moduleNames: ["hello"],
  config: {
    hello: { greeting: "Hello" },
    web: { title: "Hello API", version: "0.1.0" },
  },
});

await app.run();

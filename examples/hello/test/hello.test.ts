import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";

const root = fileURLToPath(new URL("..", import.meta.url));
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe("hello example, in-process", () => {
  it("greets through the controller and the injected service", async () => {
    const app = new Application({ moduleNames: ["hello"], root, env: { HELLO__GREETING: "Hi" }, logger: quiet });
    expect(await (await app.request("/hello")).json()).toEqual({ message: "Hi, world!", count: 1 });
    expect(await (await app.request("/hello/Ann")).json()).toEqual({ message: "Hi, Ann!", count: 2 });
    const created = await app.request("/hello", { method: "POST", body: JSON.stringify({ name: "Bo" }), headers: { "content-type": "application/json" } });
    expect([created.status, await created.json()]).toEqual([201, { message: "Hi, Bo!", count: 3 }]);
    const invalid = await app.request("/hello", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect([invalid.status, await invalid.json()]).toEqual([
      422,
      { detail: [{ loc: ["body", "name"], msg: "Invalid input: expected string, received undefined", type: "invalid_type" }] },
    ]);
    expect(await (await app.request("/hello?shout=true")).json()).toEqual({ message: "HI, WORLD!", count: 4 });
    await app.stop();
  });
});

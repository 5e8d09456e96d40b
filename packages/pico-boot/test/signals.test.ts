import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { Application, ApplicationStoppedError } from "../src/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

@controller()
class Ping {
  @get("/ping")
  ping() {
    return "pong";
  }
}

describe("stopping", () => {
  it("a start() still under way when stop() is called is closed, not leaked", async () => {
    const app = new Application({ components: [Ping], env: {}, logger: quiet });
    const starting = app.start({ port: 0 });
    await app.stop();
    const { url } = await starting;
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
  });

  it("a stopped application is final: init, start and request reject", async () => {
    const app = new Application({ components: [Ping], env: {}, logger: quiet });
    expect(await (await app.request("/ping")).json()).toBe("pong");
    await app.stop();
    await expect(app.request("/ping")).rejects.toThrow(ApplicationStoppedError);
    await expect(app.start({ port: 0 })).rejects.toThrow("This application has been stopped; create a new Application to serve again");
  });

  it("one SIGTERM stops every app.run() application in the process, then exits 0", async () => {
    const script = fileURLToPath(new URL("fixtures/two-apps.mjs", import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const started = Date.now();
    while (!output.includes("both running") && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(output).toContain("both running");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output.match(/SIGTERM received, shutting down/g)).toHaveLength(1);
    expect(output).toContain("fast destroyed");
    expect(output).toContain("slow destroyed");
  });
});

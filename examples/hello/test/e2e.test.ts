import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Collects a child's output and resolves when `pattern` appears in it. */
function waitForOutput(read: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const match = read().match(pattern);
      if (match) {
        clearInterval(poll);
        resolve(match);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`));
      }
    }, 20);
  });
}

describe("hello example over a real socket", () => {
  it("app.run() listens on PORT, serves, and on SIGTERM drains, runs onDestroy and exits 0", async () => {
    expect(existsSync(main), `${main} is missing: run "pnpm build" first (pnpm test does)`).toBe(true);
    const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: "0", HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const [, url] = await waitForOutput(() => output, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000);
      const response = await fetch(`${url}/hello/e2e`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ message: "Hello, e2e!", count: 1 });
      const missing = await fetch(`${url}/nope`);
      expect([missing.status, await missing.json()]).toEqual([404, { detail: "Not Found" }]);

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain("SIGTERM received, shutting down");
      expect(output).toContain("GreetingService destroyed after 1 greetings");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("hello example whose port is taken", () => {
  it("prints the one error line on stderr and nothing else, not even what the destroy hooks of the failed boot log; exit code 1", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "" }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      expect([code, stdout, stderr]).toStrictEqual([
        1,
        "",
        `pico-boot: cannot start: Cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens there); choose another with PORT, or another address with HOST\n`,
      ]);
    } finally {
      blocker.close();
    }
  });
});

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

describe("embed-in-app over a real socket", () => {
  it("prints a generated admin password once, serves the guide's routes, stops cleanly on SIGINT", async () => {
    expect(existsSync(main), `${main} is missing: run "pnpm build" first (pnpm test does)`).toBe(true);
    const { SERVER_AUTH__ADMIN_PASSWORD: _ignored, ...inherited } = process.env;
    const env = { ...inherited, PORT: "0" };
    const child = spawn(process.execPath, [main], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!/listening on http/.test(output) && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 25));
      const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      const password = /Admin login: admin@example\.com \/ (\S+) \(generated/.exec(output)?.[1];
      expect(url, output).toBeDefined();
      expect(password).toMatch(/^[\w-]{24}$/);
      expect(output.split(password as string)).toHaveLength(2);

      const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@example.com", password }) });
      const { access_token } = (await login.json()) as { access_token: string };
      const dashboard = await fetch(`${url}/api/admin/dashboard`, { headers: { authorization: `Bearer ${access_token}` } });
      expect([dashboard.status, await dashboard.json()]).toEqual([200, { message: "Welcome, admin@example.com" }]);
      expect((await fetch(`${url}/api/profile`)).status).toBe(401);

      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { Application, loadEnvironment } from "pico-boot";
import { publicOrigin, seedConfig } from "../src/config.js";
import { freePort } from "../../../test-support/ports.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const PASSWORD = "a-long-test-password";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("the example's issuer and jwks_url follow PORT and HOST", () => {
  it("localhost on PORT (8100 by default, and for PORT=0), or HOST when it names an address that is not a wildcard", () => {
    const cases: [Record<string, string>, string][] = [
      [{}, "http://localhost:8100"],
      [{ PORT: "0" }, "http://localhost:8100"],
      [{ PORT: "9123" }, "http://localhost:9123"],
      [{ PORT: "9123", HOST: "0.0.0.0" }, "http://localhost:9123"],
      [{ PORT: "9123", HOST: "::" }, "http://localhost:9123"],
      [{ PORT: "9123", HOST: "[::]" }, "http://localhost:9123"],
      [{ PORT: "9123", HOST: "0" }, "http://localhost:9123"],
      [{ PORT: "9123", HOST: "" }, "http://localhost:9123"],
      [{ PORT: "9123", HOST: "127.0.0.1" }, "http://127.0.0.1:9123"],
      [{ PORT: "9123", HOST: "::1" }, "http://[::1]:9123"],
      [{ HOST: "api.example.com" }, "http://api.example.com:8100"],
    ];
    for (const [env, origin] of cases) {
      expect(publicOrigin(env), JSON.stringify(env)).toBe(origin);
      const { config } = seedConfig(env);
      expect([config.server_auth.issuer, config.auth_client.issuer, config.auth_client.jwks_url]).toEqual([origin, origin, `${origin}/api/v1/auth/jwks`]);
    }
  });

  it("a PORT in .env moves the issuer as it moves the listener", () => {
    const dir = mkdtempSync(join(tmpdir(), "embed-issuer-"));
    try {
      writeFileSync(join(dir, ".env"), "PORT=9345\n");
      const env = loadEnvironment({ env: {}, envFile: join(dir, ".env") });
      expect(seedConfig(env).config.server_auth.issuer).toBe("http://localhost:9345");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("over a real socket: tokens issued by the app listening on PORT name http://localhost:PORT", async () => {
    const port = await freePort();
    const env = { PORT: String(port), SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
    const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: quiet });
    try {
      const { url } = await app.start();
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@example.com", password: PASSWORD }) });
      const { access_token } = (await login.json()) as { access_token: string };
      expect(decodeJwt(access_token).iss).toBe(`http://localhost:${port}`);
      // The client half accepts it: same issuer, keys found in-process through the jwks_url path.
      expect((await fetch(`${url}/api/profile`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("the start script reads PORT and the admin password from .env in its working directory, and its issuer follows", async () => {
    expect(existsSync(main), `${main} is missing: run "pnpm build" first (pnpm test does)`).toBe(true);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "embed-dotenv-"));
    writeFileSync(join(dir, ".env"), `PORT=${port}\nSERVER_AUTH__ADMIN_PASSWORD="${PASSWORD}"\nSERVER_AUTH__STORE=memory\n`);
    // Nothing the test runner has set may stand in for the file.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PORT|HOST|PICO_BOOT_ENV_FILE|SERVER_AUTH__.*|AUTH_CLIENT__.*)$/.test(k)));
    const child = spawn(process.execPath, [main], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const deadline = Date.now() + 15_000;
      while (!output.includes(`127.0.0.1:${port}`)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`not listening on ${port} (.env not read?):\n${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(output).not.toContain("generated for this run");
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@example.com", password: PASSWORD }) });
      expect(login.status, output).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      expect(decodeJwt(access_token).iss).toBe(`http://localhost:${port}`);
    } finally {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

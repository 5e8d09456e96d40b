import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// An Ed25519 wallet signing with node:crypto, independently of the server's verifiers.
import { ed25519Wallet, postJson } from "../../../packages/pico-server-auth/test/support.js";
import { expectAllWalletsSignIn } from "../../wallet-client/test/cli.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const refused = (url: string) => fetch(url, { signal: AbortSignal.timeout(1000) }).then(() => false, () => true);

/**
 * The package's start script (`node dist/main.js`) as a child process on a free port (PORT=0), without
 * SERVER_AUTH__ADMIN_PASSWORD so that a password is generated. Resolves once it prints its URL.
 */
async function start() {
  const { scripts } = JSON.parse(readFileSync(`${packageDir}/package.json`, "utf8")) as { scripts: { start: string } };
  expect(scripts.start).toBe("node dist/main.js");
  expect(existsSync(main), `${main} is missing: run "pnpm build" first (pnpm test does)`).toBe(true);
  const { SERVER_AUTH__ADMIN_PASSWORD: _ignored, ...inherited } = process.env;
  // Durable state as in production, in a folder of its own.
  // stderr is a pipe here: SHOW_GENERATED_PASSWORD=1 asks for the generated password all the same.
  const env = { ...inherited, SHOW_GENERATED_PASSWORD: "1", PORT: "0", SERVER_AUTH__DATA_DIR: mkdtempSync(join(tmpdir(), "embed-in-app-")) };
  const child = spawn(process.execPath, [main], { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let exitCode: number | null | undefined;
  const server = { child, output: "", url: "", exited: new Promise<number | null>((resolve) => child.on("exit", (code) => resolve((exitCode = code)))) };
  child.stdout.on("data", (chunk: Buffer) => (server.output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (server.output += chunk.toString()));
  const deadline = Date.now() + 15_000;
  while (!/listening on http/.test(server.output)) {
    if (exitCode !== undefined || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`no "listening on" line (${exitCode === undefined ? "timed out" : `exited with ${exitCode}`}):\n${server.output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  server.url = /listening on (http:\/\/[\d.:]+)/.exec(server.output)?.[1] ?? "";
  return server;
}

/** Sends `signal` and returns the exit code, or "timeout" after 15 s. */
function stop(server: Awaited<ReturnType<typeof start>>, signal: NodeJS.Signals): Promise<number | null | "timeout"> {
  server.child.kill(signal);
  return Promise.race([server.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000))]);
}

describe("embed-in-app: the start script over a real socket", () => {
  it("prints a generated admin password once, serves admins and the wallet client's three algorithms, stops on SIGTERM with 0", async () => {
    const server = await start();
    const { url } = server;
    try {
      // Printed right after the server listens (nothing is printed before).
      const printed = Date.now() + 5000;
      while (!server.output.includes("Admin login:") && Date.now() < printed) await new Promise((r) => setTimeout(r, 25));
      expect(server.output.indexOf("Admin login:")).toBeGreaterThan(server.output.indexOf("listening on http"));
      const password = /Admin login: admin@example\.com \/ (\S+) \(generated/.exec(server.output)?.[1];
      expect(password, server.output).toMatch(/^[\w-]{24}$/);

      const login = await fetch(`${url}/api/v1/auth/login`, postJson({ email: "admin@example.com", password }));
      expect(login.status).toBe(200);
      const { access_token: admin } = (await login.json()) as { access_token: string };
      const dashboard = await fetch(`${url}/api/admin/dashboard`, bearer(admin));
      expect([dashboard.status, await dashboard.json()]).toEqual([200, { message: "Welcome, admin@example.com" }]);
      const adminProfile = await fetch(`${url}/api/profile`, bearer(admin));
      expect([adminProfile.status, await adminProfile.json()]).toEqual([200, { subject: "admin@example.com", role: "admin" }]);
      expect((await fetch(`${url}/api/profile`)).status).toBe(401);

      // The built wallet client: ML-DSA-65, Ed25519 and secp256k1 keys sign in, each reads its own profile.
      // It listens on 127.0.0.1:<free port>; its messages name the issuer's host, localhost:8100.
      await expectAllWalletsSignIn(["--base-url", url, "--domain", "localhost:8100"]);

      // A wallet token reaches the profile, not the admin dashboard.
      const wallet = ed25519Wallet();
      const { address } = wallet;
      const { challenge, message } = (await (await fetch(`${url}/api/v1/auth/challenge`, postJson({ address, algorithm: wallet.algorithm }))).json()) as { challenge: string; message: string };
      const signedIn = await fetch(`${url}/api/v1/auth/sign-in`, postJson({ address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm }));
      expect(signedIn.status).toBe(200);
      const { access_token: walletToken } = (await signedIn.json()) as { access_token: string };
      expect((await fetch(`${url}/api/admin/dashboard`, bearer(walletToken))).status).toBe(403);

      expect(await stop(server, "SIGTERM"), server.output).toBe(0);
      expect(server.output).toContain("pico-boot: SIGTERM received, shutting down");
      expect(await refused(url)).toBe(true);
      // Printed once over the whole run, shutdown included.
      expect(server.output.split(password as string)).toHaveLength(2);
    } finally {
      server.child.kill("SIGKILL");
    }
  }, 40_000);

  it("stops on SIGINT (Ctrl-C) with 0 too", async () => {
    const server = await start();
    try {
      expect(await stop(server, "SIGINT"), server.output).toBe(0);
      expect(server.output).toContain("pico-boot: SIGINT received, shutting down");
      expect(await refused(server.url)).toBe(true);
    } finally {
      server.child.kill("SIGKILL");
    }
  });
});

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// The wallet signs with node:crypto, independently of the server's verifiers.
import { ed25519Wallet, postJson } from "../../../packages/pico-server-auth/test/support.js";
import { expectAllWalletsSignIn } from "../../wallet-client/test/cli.js";

const start = fileURLToPath(new URL("../dist/start.js", import.meta.url));
const PASSWORD = "standalone-test-password";

/** Two distinct free ports: both probes stay open until both are read, so they cannot coincide. */
async function freePorts(): Promise<[number, number]> {
  const open = () => new Promise<Server>((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
  const servers = [await open(), await open()];
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return [ports[0] as number, ports[1] as number];
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `node dist/start.js` with the given ports; its output collected, its exit awaited. */
function launch(authPort: number, apiPort: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "standalone-"));
  const env = { ...process.env, AUTH_PORT: String(authPort), API_PORT: String(apiPort), SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__DATA_DIR: dataDir,
    // The API polls the revocation feed every second here, so the test need not wait the default 15 s.
    AUTH_CLIENT__REVOCATION_TTL_SECONDS: "1" };
  const child: ChildProcess = spawn(process.execPath, [start], { env, stdio: ["ignore", "pipe", "pipe"] });
  const run = { child, output: "", exited: new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))) };
  child.stdout?.on("data", (chunk: Buffer) => (run.output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (run.output += chunk.toString()));
  return run;
}

/** Whether a line of the service labelled `label` says `message` (the services log JSON lines: their stdout is a pipe). */
function said(run: { output: string }, label: string, message: string): boolean {
  return run.output.split("\n").some((line) => line.startsWith(label) && line.includes(`"msg":${JSON.stringify(message)}`));
}

async function bothListening(run: ReturnType<typeof launch>, authUrl: string, apiUrl: string): Promise<void> {
  await waitFor(() => said(run, "[auth] ", `pico-boot: listening on ${authUrl}`) && said(run, "[api]  ", `pico-boot: listening on ${apiUrl}`), `both "listening on" lines in:\n${run.output}`);
}

/** Sends `signal` to the launcher: it forwards it to both services, which stop, and it exits 0; both ports are closed then. */
async function expectStopsBoth(run: ReturnType<typeof launch>, signal: NodeJS.Signals, authUrl: string, apiUrl: string): Promise<void> {
  run.child.kill(signal);
  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("timeout"), 15_000))]);
  expect(code, run.output).toBe(0);
  expect(run.output).toContain(`[start] ${signal}: stopping both services`);
  expect(said(run, "[auth] ", `pico-boot: ${signal} received, shutting down`), run.output).toBe(true);
  expect(said(run, "[api]  ", `pico-boot: ${signal} received, shutting down`), run.output).toBe(true);
  expect(await refused(authUrl)).toBe(true);
  expect(await refused(apiUrl)).toBe(true);
}

const refused = (url: string) => fetch(url, { signal: AbortSignal.timeout(1000) }).then(() => false, () => true);

describe("standalone: auth service and API service as two processes", () => {
  it("the API validates the auth service's tokens over HTTP, the wallet client's too; SIGTERM stops both with exit 0", async () => {
    expect(existsSync(start), `${start} is missing: run "pnpm build" first (pnpm test does)`).toBe(true);
    const [authPort, apiPort] = await freePorts();
    const [authUrl, apiUrl] = [`http://127.0.0.1:${authPort}`, `http://127.0.0.1:${apiPort}`];
    const run = launch(authPort, apiPort);
    try {
      await bothListening(run, authUrl, apiUrl);
      // The password came from the environment: nothing is generated or printed.
      expect(run.output).not.toContain("Admin login:");

      const login = await fetch(`${authUrl}/api/v1/auth/login`, postJson({ email: "admin@example.com", password: PASSWORD }));
      expect(login.status).toBe(200);
      const { access_token: admin } = (await login.json()) as { access_token: string };
      const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

      const dashboard = await fetch(`${apiUrl}/api/admin/dashboard`, bearer(admin));
      expect([dashboard.status, await dashboard.json()]).toEqual([200, { message: "Welcome, admin@example.com" }]);
      const profile = await fetch(`${apiUrl}/api/profile`, bearer(admin));
      expect([profile.status, await profile.json()]).toEqual([200, { subject: "admin@example.com", role: "admin" }]);
      const anonymous = await fetch(`${apiUrl}/api/admin/dashboard`);
      expect([anonymous.status, await anonymous.json()]).toEqual([401, { detail: "Missing or invalid Authorization header" }]);

      // A wallet token from the auth service: any valid token reaches the profile, not the dashboard.
      const wallet = ed25519Wallet();
      const { address } = wallet;
      const { challenge, message } = (await (await fetch(`${authUrl}/api/v1/auth/challenge`, postJson({ address, algorithm: wallet.algorithm }))).json()) as { challenge: string; message: string };
      const signedIn = await fetch(`${authUrl}/api/v1/auth/sign-in`, postJson({ address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm }));
      const { access_token: walletToken } = (await signedIn.json()) as { access_token: string };
      const walletProfile = await fetch(`${apiUrl}/api/profile`, bearer(walletToken));
      expect([walletProfile.status, await walletProfile.json()]).toEqual([200, { subject: address, role: "wallet" }]);
      expect((await fetch(`${apiUrl}/api/admin/dashboard`, bearer(walletToken))).status).toBe(403);

      // The built wallet client signs in at the auth service and reads its profiles from the API.
      await expectAllWalletsSignIn(["--base-url", authUrl, "--api-url", apiUrl]);

      // Logging out at the auth service reaches the API through the revocation feed within its TTL.
      const session = (await (await fetch(`${authUrl}/api/v1/auth/login`, postJson({ email: "admin@example.com", password: PASSWORD }))).json()) as { access_token: string; refresh_token: string };
      expect((await fetch(`${apiUrl}/api/profile`, bearer(session.access_token))).status).toBe(200);
      expect((await fetch(`${authUrl}/api/v1/auth/logout`, postJson({ refresh_token: session.refresh_token }))).status).toBe(204);
      await waitFor(async () => (await fetch(`${apiUrl}/api/profile`, bearer(session.access_token))).status === 401, "the API to refuse the logged-out token", 5000);
      expect(await (await fetch(`${apiUrl}/api/profile`, bearer(session.access_token))).json()).toEqual({ detail: "Token revoked" });
      expect((await fetch(`${apiUrl}/api/profile`, bearer(admin))).status).toBe(200);

      // Two separate services: each serves only its own routes.
      expect((await fetch(`${apiUrl}/api/v1/auth/login`, postJson({}))).status).toBe(404);
      expect((await fetch(`${authUrl}/api/profile`, bearer(admin))).status).toBe(404);

      await expectStopsBoth(run, "SIGTERM", authUrl, apiUrl);
    } finally {
      // SIGKILL leaves the services nothing to forward to; they stop on their own (a test below).
      run.child.kill("SIGKILL");
    }
  }, 40_000);

  it("SIGINT (Ctrl-C) stops both with exit 0 too", async () => {
    const [authPort, apiPort] = await freePorts();
    const [authUrl, apiUrl] = [`http://127.0.0.1:${authPort}`, `http://127.0.0.1:${apiPort}`];
    const run = launch(authPort, apiPort);
    try {
      await bothListening(run, authUrl, apiUrl);
      await expectStopsBoth(run, "SIGINT", authUrl, apiUrl);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("if the launcher is killed outright, both services stop instead of lingering", async () => {
    const [authPort, apiPort] = await freePorts();
    const [authUrl, apiUrl] = [`http://127.0.0.1:${authPort}`, `http://127.0.0.1:${apiPort}`];
    const run = launch(authPort, apiPort);
    try {
      await bothListening(run, authUrl, apiUrl);
      run.child.kill("SIGKILL");
      await run.exited;
      await waitFor(async () => (await refused(authUrl)) && (await refused(apiUrl)), "both ports to close", 10_000);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("if one service dies, the launcher stops the other and exits non-zero", async () => {
    const [authPort, apiPort] = await freePorts();
    // Occupy the API's port so the API service fails at boot.
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(apiPort, "127.0.0.1", resolve));
    const run = launch(authPort, apiPort);
    try {
      const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("timeout"), 15_000))]);
      expect(code, run.output).toBe(1);
      expect(run.output).toContain("[start] api service exited (code 1); stopping the other");
      expect(await refused(`http://127.0.0.1:${authPort}`)).toBe(true);
    } finally {
      run.child.kill("SIGKILL");
      blocker.close();
    }
  });
});

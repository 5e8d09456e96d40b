import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
// An Ed25519 wallet signing with node:crypto, independently of the server's verifiers.
import { ed25519Wallet, postJson } from "../../pico-server-auth/test/support.js";
import { freePort } from "../../../test-support/ports.js";
import { packWorkspace } from "../../../test-support/tarballs.js";

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const ADMIN = { email: "admin@example.com", password: "an-e2e-admin-password" };

/**
 * The environment a user's shell would give npm, for the Node that runs this test: its bin first in
 * PATH (npm's scripts, tsc and node --test run on it), and native addons (better-sqlite3, built from
 * source: no prebuilt downloads here) compiled against its own headers (npm_config_nodedir) when
 * they are beside it, else against those node-gyp fetches for its version. Variables pnpm or npm set
 * for the test run itself (npm_*, pnpm_*) are left out, but for the registry, proxy and CA settings:
 * this npm reads the user's npmrc like a plain `npm install`.
 */
function userEnv(): NodeJS.ProcessEnv {
  // The running Node's own headers when they are beside it (a distribution's Node, or a runtime from
  // scripts/node-runtime.mjs, which keeps them); otherwise node-gyp fetches those of this version.
  const nodedir = resolve(dirname(process.execPath), "..");
  const ownHeaders = existsSync(join(nodedir, "include", "node", "node_version.h"));
  // Where the user's npm reaches the registry stays as it is: a mirror, a proxy, a CA bundle.
  const kept = /^npm_config_(registry|@[^_]+:registry|(https?_)?proxy|noproxy|cafile|ca|strict_ssl)$/i;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => kept.test(key) || (!/^(npm|pnpm)_/i.test(key) && key !== "INIT_CWD")));
  return {
    ...inherited,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    ...(ownHeaders ? { npm_config_nodedir: nodedir } : {}),
    npm_config_update_notifier: "false",
    // Speed only: SQLite unoptimised compiles in about a quarter of the time (this test checks our
    // packages, not SQLite's speed); swagger-ui-dist's analytics postinstall stays off the network.
    CFLAGS: "-O0",
    CXXFLAGS: "-O0",
    SCARF_ANALYTICS: "false",
  };
}

/** Runs a command to its end; rejects with its output when it fails or outlasts `timeoutMs`. Resolves with its output. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(" ")} in ${cwd} ended with ${signal ?? code}:\n${output}`));
    });
  });
}

/** Starts the built app as its start script does, on a free port; resolves once /healthz answers. */
async function startApp(appDir: string, env: NodeJS.ProcessEnv) {
  const { scripts } = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as { scripts: { start: string } };
  expect(scripts.start).toBe("node dist/src/main.js");
  const port = await freePort();
  const child = spawn(process.execPath, ["dist/src/main.js"], {
    cwd: appDir,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1", SERVER_AUTH__ADMIN_PASSWORD: ADMIN.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${url}/healthz`).then((res) => res.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not start (${child.exitCode === null ? "timeout" : `exit ${child.exitCode}`}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, exited, output: () => output };
}

/** The seed scenario over HTTP: JWKS, an Ed25519 wallet's sign-in, the profile with and without a token, the admin, the dashboard for each. */
async function seedScenario(url: string): Promise<void> {
  const jwks = await fetch(`${url}/api/v1/auth/jwks`);
  expect(jwks.status).toBe(200);
  expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);

  const wallet = ed25519Wallet();
  const issued = await fetch(`${url}/api/v1/auth/challenge`, postJson({ address: wallet.address, algorithm: wallet.algorithm }));
  expect(issued.status).toBe(200);
  const { challenge, message } = (await issued.json()) as { challenge: string; message: string };
  const signedIn = await fetch(`${url}/api/v1/auth/sign-in`, postJson({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm }));
  expect(signedIn.status).toBe(200);
  const { access_token: walletToken } = (await signedIn.json()) as { access_token: string };

  const anonymous = await fetch(`${url}/api/profile`);
  expect([anonymous.status, await anonymous.json()]).toEqual([401, { detail: "Missing or invalid Authorization header" }]);
  const profile = await fetch(`${url}/api/profile`, bearer(walletToken));
  expect([profile.status, await profile.json()]).toEqual([200, { subject: wallet.address, role: "wallet" }]);

  const login = await fetch(`${url}/api/v1/auth/login`, postJson(ADMIN));
  expect(login.status).toBe(200);
  const { access_token: adminToken } = (await login.json()) as { access_token: string };
  const refused = await fetch(`${url}/api/admin/dashboard`, bearer(walletToken));
  expect([refused.status, await refused.json()]).toEqual([403, { detail: "Requires one of roles: ['admin']" }]);
  const dashboard = await fetch(`${url}/api/admin/dashboard`, bearer(adminToken));
  expect([dashboard.status, await dashboard.json()]).toEqual([200, { message: `Welcome, ${ADMIN.email}` }]);
}

describe("create-pico-app end to end: the packed packages installed with plain npm, outside the repository", () => {
  it("scaffolds an app from its tarball, installs the tarballs, builds, passes the app's tests and serves the seed scenario", async () => {
    // The app's own folder under the system temp dir: no node_modules of the repository above it.
    const root = mkdtempSync(join(tmpdir(), "create-pico-app-e2e-"));
    const appDir = join(root, "my-app");
    const timings: string[] = [];
    const timed = async <T>(step: string, work: () => Promise<T> | T): Promise<T> => {
      const started = Date.now();
      const result = await work();
      timings.push(`${step} ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return result;
    };
    try {
      const env = userEnv();
      const tarballs = await timed("pack", () => packWorkspace(join(root, "tarballs")));
      // The scaffolder from its own tarball, as `npx file:<tarball>` (and, once published, `npm create pico-app`) runs it.
      await timed("scaffold", () => run("npx", ["--yes", `file:${tarballs["create-pico-app"]}`, "my-app", "--packages", join(root, "tarballs")], root, env));
      await timed("npm install", () => run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], appDir, env));
      // Every pico package came from the tarballs, none from the registry.
      const lock = JSON.parse(readFileSync(join(appDir, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string; version?: string }> };
      for (const name of ["pico-boot", "pico-client-auth", "pico-hono", "pico-ioc", "pico-server-auth"]) {
        expect(lock.packages[`node_modules/${name}`]?.resolved, name).toBe(`file:../tarballs/${name}-${lock.packages[`node_modules/${name}`]?.version}.tgz`);
        expect(Object.keys(lock.packages).filter((path) => path.endsWith(`node_modules/${name}`)), name).toEqual([`node_modules/${name}`]);
      }
      await timed("npm run build", () => run("npm", ["run", "build"], appDir, env));
      const tested = await timed("npm test", () => run("npm", ["test"], appDir, env));
      // The app's three tests ran and passed (TAP summary on Node 20, the spec reporter's from Node 23 on).
      expect(tested).toMatch(/[#ℹ] pass 3\n[#ℹ] fail 0\n/);

      const app = await timed("start", () => startApp(appDir, env));
      try {
        await timed("seed scenario", () => seedScenario(app.url));
        app.child.kill("SIGTERM");
        expect(await app.exited, app.output()).toBe(0);
      } finally {
        app.child.kill("SIGKILL");
      }
      // Durable state where the README says: .pico-auth under the app's folder.
      expect(existsSync(join(appDir, ".pico-auth", "auth.db"))).toBe(true);
    } finally {
      console.log(`create-pico-app e2e on Node ${process.version}: ${timings.join(", ")}`);
      rmSync(root, { recursive: true, force: true });
    }
  }, 900_000);
});

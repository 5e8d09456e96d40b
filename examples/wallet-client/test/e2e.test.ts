import { existsSync, mkdtempSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { SecurityContext } from "pico-client-auth";
import { controller, get } from "pico-hono";
import { ALGORITHMS, keyFilePath } from "../src/keys.js";
import { line, main, runCli } from "./cli.js";

/** The embed-in-app example's profile route, so the CLI sees what it sees there. */
@controller({ prefix: "/api" })
class Profile {
  @get("/profile")
  profile() {
    const { claims } = SecurityContext.current();
    return { subject: claims.sub, role: claims.role };
  }
}

const quiet = { info() {}, warn() {}, error() {} };
// This package lists pico-server-auth and pico-client-auth as dev dependencies: their module names resolve from here.
const packageRoot = fileURLToPath(new URL("..", import.meta.url));

function authApp(serverAuth: Record<string, unknown> = {}): Application {
  return new Application({
    moduleNames: ["pico_server_auth", "pico_client_auth"],
    root: packageRoot,
    components: [Profile],
    config: {
      server_auth: { issuer: "http://localhost:8100", audience: "my-app", ...serverAuth },
      auth_client: { issuer: "http://localhost:8100", audience: "my-app", jwks_url: "http://localhost:8100/api/v1/auth/jwks" },
    },
    env: {},
    logger: quiet,
  });
}

describe("wallet-client against a real socket", () => {
  const app = authApp();
  let url = "";
  beforeAll(async () => {
    expect(existsSync(main), `${main} is missing: run "pnpm build" first (pnpm test does)`).toBe(true);
    ({ url } = await app.start({ port: 0 }));
  });
  afterAll(() => app.stop());

  it("signs in with ML-DSA-65, Ed25519 and secp256k1 and reads each profile; a second run reuses the keys", async () => {
    const keysDir = join(mkdtempSync(join(tmpdir(), "wallet-client-")), "keys");
    const first = await runCli(["--base-url", url, "--keys-dir", keysDir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("all 3 wallets signed in");
    expect(statSync(keysDir).mode & 0o777).toBe(0o700);

    const addresses = ALGORITHMS.map((algorithm) => {
      const section = first.sections[algorithm];
      const address = line(section, "address");
      expect(address, first.stdout).toMatch(/^0x[0-9a-f]{40}$/);
      expect(line(section, "key")).toMatch(/^created /);
      expect(JSON.parse(line(section, "signed in") ?? "")).toMatchObject({ sub: address, role: "wallet", algorithm, wallet_address: address, aud: "my-app" });
      expect(JSON.parse(line(section, "profile") ?? "")).toEqual({ subject: address, role: "wallet" });
      // Secrets on disk are readable by the owner only.
      expect(statSync(keyFilePath(keysDir, algorithm)).mode & 0o777).toBe(0o600);
      return address;
    });
    expect(new Set(addresses).size).toBe(3);
    expect(line(first.sections["ML-DSA-65"], "signature")).toBe("3309 bytes");
    expect(line(first.sections.Ed25519, "signature")).toBe("64 bytes");

    const second = await runCli(["--base-url", url, "--keys-dir", keysDir]);
    expect(second.code, second.stderr).toBe(0);
    for (const [i, algorithm] of ALGORITHMS.entries()) {
      const section = second.sections[algorithm];
      expect(line(section, "key")).toMatch(/^loaded /);
      // Same key, same address: the server's address binding accepts it again.
      expect(line(section, "address")).toBe(addresses[i]);
      expect(JSON.parse(line(section, "profile") ?? "")).toEqual({ subject: addresses[i], role: "wallet" });
    }
  });

  it("exits non-zero with a clear message when nothing listens on the port", async () => {
    const port = await closedPort();
    const run = await runCli(["--base-url", `http://127.0.0.1:${port}`, "--keys-dir", mkdtempSync(join(tmpdir(), "wallet-client-"))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ML-DSA-65: cannot reach http://127.0.0.1:${port} (POST /api/v1/auth/challenge): ECONNREFUSED; is the server running?\n`);
    // It stops at the first unreachable call instead of repeating it for every algorithm.
    expect(run.sections.Ed25519).toBeUndefined();
  });

  it("exits non-zero with the server's detail when an algorithm is refused, and still tries the others", async () => {
    const edOnly = authApp({ supported_wallet_algorithms: ["Ed25519"] });
    const { url: edUrl } = await edOnly.start({ port: 0 });
    try {
      const run = await runCli(["--base-url", edUrl, "--keys-dir", mkdtempSync(join(tmpdir(), "wallet-client-"))]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("error: ML-DSA-65: POST /api/v1/auth/sign-in failed: HTTP 400 unsupported wallet algorithm: ML-DSA-65; supported: Ed25519\n");
      expect(run.stderr).toContain("error: secp256k1: POST /api/v1/auth/sign-in failed: HTTP 400 unsupported wallet algorithm: secp256k1; supported: Ed25519\n");
      expect(run.stderr).toContain("failed: ML-DSA-65, secp256k1");
      expect(JSON.parse(line(run.sections.Ed25519, "profile") ?? "")).toMatchObject({ role: "wallet" });
    } finally {
      await edOnly.stop();
    }
  });
});

/** A port that was free a moment ago and is closed now. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { SecurityContext } from "pico-client-auth";
import { controller, get } from "pico-hono";
import { ALGORITHMS, keyFilePath } from "../src/keys.js";
import { expectAllWalletsSignIn, freshKeysDir, line, runCli } from "./cli.js";
import { freePort as closedPort } from "../../../test-support/ports.js";

/** The embed-in-app example's profile route, so the CLI sees what it sees there. */
@controller({ prefix: "/api" })
class Profile {
  @get("/profile")
  profile() {
    const { claims } = SecurityContext.current();
    return { subject: claims.sub, role: claims.role };
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
// This package lists pico-server-auth and pico-client-auth as dev dependencies: their module names resolve from here.
const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const issuer = "http://localhost:8100";
/** The servers here listen on 127.0.0.1:<free port>, their messages name the issuer's host: the client is told so. */
const DOMAIN = ["--domain", "localhost:8100"];
const serverAuth = (extra: Record<string, unknown> = {}) => ({ issuer, audience: "my-app", store: "memory", ...extra });
const authClient = (jwksUrl: string) => ({ issuer, audience: "my-app", jwks_url: jwksUrl });

function app(moduleNames: string[], config: Record<string, unknown>, components: (new () => object)[] = []): Application {
  // autoPlugins off: both auth packages are installed here, and the split deployment wants one in each app.
  return new Application({ moduleNames, root: packageRoot, autoPlugins: false, components, config, env: {}, logger: quiet });
}

/** Both auth packages and the profile route in one application, as in embed-in-app. */
function embeddedApp(extra: Record<string, unknown> = {}): Application {
  return app(["pico_server_auth", "pico_client_auth"], { server_auth: serverAuth(extra), auth_client: authClient(`${issuer}/api/v1/auth/jwks`) }, [Profile]);
}

describe("wallet-client against a real socket", () => {
  const embedded = embeddedApp();
  let url = "";
  beforeAll(async () => {
    ({ url } = await embedded.start({ port: 0 }));
  });
  afterAll(() => embedded.stop());

  it("signs in with ML-DSA-65, Ed25519 and secp256k1 and reads each profile; a second run reuses the keys", async () => {
    const keysDir = freshKeysDir();
    const { run: first, addresses } = await expectAllWalletsSignIn(["--base-url", url, ...DOMAIN], keysDir);
    // Without --api-url the profile comes from the --base-url server.
    expect(first.stdout.split("\n")[0]).toBe(`wallet-client: signing in to ${url}, profile from ${url}, keys in ${keysDir}`);
    expect(statSync(keysDir).mode & 0o777).toBe(0o700);
    for (const [i, algorithm] of ALGORITHMS.entries()) {
      const section = first.sections[algorithm];
      expect(line(section, "key")).toMatch(/^created /);
      expect(JSON.parse(line(section, "signed in") ?? "")).toMatchObject({ sub: addresses[i], role: "wallet", algorithm, wallet_address: addresses[i], aud: "my-app" });
      // Secrets on disk are readable by the owner only.
      expect(statSync(keyFilePath(keysDir, algorithm)).mode & 0o777).toBe(0o600);
    }
    expect(line(first.sections["ML-DSA-65"], "signature")).toBe("3309 bytes");
    expect(line(first.sections.Ed25519, "signature")).toBe("64 bytes");
    // personal_sign's r‖s‖v, sent without a public key: the server recovers it.
    expect(line(first.sections.secp256k1, "signature")).toBe("65 bytes");
    expect(line(first.sections.secp256k1, "message")).toBe("localhost:8100 wants you to sign in with your Ethereum account: (11 lines)");
    expect(line(first.sections.Ed25519, "message")).toBe("localhost:8100 wants you to sign in with your Ed25519 account: (11 lines)");

    // Same keys, same addresses: the server's address bindings accept them again.
    const { run: second, addresses: again } = await expectAllWalletsSignIn(["--base-url", url, ...DOMAIN], keysDir);
    expect(again).toEqual(addresses);
    for (const algorithm of ALGORITHMS) expect(line(second.sections[algorithm], "key")).toMatch(/^loaded /);
  });

  it("with --api-url, signs in at the auth service and reads the profile from a separate API service", async () => {
    const auth = app(["pico_server_auth"], { server_auth: serverAuth() });
    const { url: authUrl } = await auth.start({ port: 0 });
    // The API holds no key: it checks the tokens against the auth service's JWKS over HTTP.
    const api = app(["pico_client_auth"], { auth_client: authClient(`${authUrl}/api/v1/auth/jwks`) }, [Profile]);
    try {
      const { url: apiUrl } = await api.start({ port: 0 });
      // Trailing slashes are dropped from both URLs.
      const keysDir = freshKeysDir();
      const { run } = await expectAllWalletsSignIn(["--base-url", `${authUrl}/`, "--api-url", `${apiUrl}//`, ...DOMAIN], keysDir);
      expect(run.stdout.split("\n")[0]).toBe(`wallet-client: signing in to ${authUrl}, profile from ${apiUrl}, keys in ${keysDir}`);

      // Without it the profile is asked of the auth service, which has no such route.
      const single = await runCli(["--base-url", authUrl, ...DOMAIN, "--keys-dir", freshKeysDir()]);
      expect(single.code).toBe(1);
      expect(single.stderr).toContain('error: ML-DSA-65: GET /api/profile failed: HTTP 404 Not Found\n');
    } finally {
      await api.stop();
      await auth.stop();
    }
  });

  it("--algorithm picks the algorithms, in the order given; an unknown one exits 2 before anything runs", async () => {
    const run = await runCli(["--base-url", url, ...DOMAIN, "--algorithm", "secp256k1", "--algorithm", "Ed25519", "--algorithm", "secp256k1", "--keys-dir", freshKeysDir()]);
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(run.sections)).toEqual(["secp256k1", "Ed25519"]);
    expect(run.stdout).toContain("all 2 wallets signed in");
    const one = await runCli(["--base-url", url, ...DOMAIN, "--algorithm", "ML-DSA-65", "--keys-dir", freshKeysDir()]);
    expect([one.code, Object.keys(one.sections)]).toEqual([0, ["ML-DSA-65"]]);
    expect(one.stdout).toContain("the wallet signed in");
    const bad = await runCli(["--base-url", url, "--algorithm", "RSA", "--keys-dir", freshKeysDir()]);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, "", 'error: --algorithm must be one of ML-DSA-65, Ed25519, secp256k1, got "RSA"\n']);
  });

  it("refuses to sign a message naming another site than the one it reaches (here the issuer's host, without --domain)", async () => {
    const run = await runCli(["--base-url", url, "--algorithm", "Ed25519", "--keys-dir", freshKeysDir()]);
    expect([run.code, run.stderr]).toEqual([1, `error: Ed25519: refusing to sign the message the server sent: it names the site "localhost:8100", not ${new URL(url).host}, the server this client was pointed at\n\nfailed: Ed25519\n`]);
    expect(line(run.sections.Ed25519, "signed in")).toBeUndefined();
  });

  it("refuses a server in wallet_mode upstream, which hands out no sign-in message", async () => {
    const upstream = embeddedApp({ wallet_mode: "upstream" });
    const { url: upstreamUrl } = await upstream.start({ port: 0 });
    try {
      const run = await runCli(["--base-url", upstreamUrl, "--algorithm", "Ed25519", "--keys-dir", freshKeysDir()]);
      expect([run.code, run.stderr]).toEqual([1, "error: Ed25519: POST /api/v1/auth/challenge sent no sign-in message: the server runs wallet_mode upstream, which this client does not sign for\n\nfailed: Ed25519\n"]);
    } finally {
      await upstream.stop();
    }
  });

  it("rejects a URL option that is not a plain http(s) URL, naming the option (exit 2, nothing run)", async () => {
    const cases = [
      ["--api-url", "localhost:8200"],
      ["--api-url", "http://localhost:8200/?x=1"],
      ["--base-url", "ftp://localhost:8100"],
      ["--base-url", "http://localhost:8100#"],
    ];
    for (const [option, value] of cases) {
      const run = await runCli([option as string, value as string, "--keys-dir", freshKeysDir()]);
      expect([run.code, run.stdout, run.stderr]).toEqual([2, "", `error: ${option} must be an http(s) URL without a query or fragment, got ${JSON.stringify(value)}\n`]);
    }
  });

  it("exits non-zero with a clear message when nothing listens on the port", async () => {
    const port = await closedPort();
    const run = await runCli(["--base-url", `http://127.0.0.1:${port}`, "--keys-dir", freshKeysDir()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ML-DSA-65: cannot reach http://127.0.0.1:${port} (POST /api/v1/auth/challenge): ECONNREFUSED; is the server running?\n`);
    // It stops at the first unreachable call instead of repeating it for every algorithm.
    expect(run.sections.Ed25519).toBeUndefined();
  });

  it("names the API's URL when only the API is unreachable", async () => {
    const port = await closedPort();
    const run = await runCli(["--base-url", url, ...DOMAIN, "--api-url", `http://127.0.0.1:${port}`, "--keys-dir", freshKeysDir()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ML-DSA-65: cannot reach http://127.0.0.1:${port} (GET /api/profile): ECONNREFUSED; is the server running?\n`);
    expect(line(run.sections["ML-DSA-65"], "signed in")).toBeDefined();
  });

  it("exits non-zero with the server's detail when an algorithm is refused, and still tries the others", async () => {
    const edOnly = embeddedApp({ supported_wallet_algorithms: ["Ed25519"] });
    const { url: edUrl } = await edOnly.start({ port: 0 });
    try {
      const run = await runCli(["--base-url", edUrl, ...DOMAIN, "--keys-dir", freshKeysDir()]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("error: ML-DSA-65: POST /api/v1/auth/challenge failed: HTTP 400 unsupported wallet algorithm: ML-DSA-65; supported: Ed25519\n");
      expect(run.stderr).toContain("error: secp256k1: POST /api/v1/auth/challenge failed: HTTP 400 unsupported wallet algorithm: secp256k1; supported: Ed25519\n");
      expect(run.stderr).toContain("failed: ML-DSA-65, secp256k1");
      expect(JSON.parse(line(run.sections.Ed25519, "profile") ?? "")).toMatchObject({ role: "wallet" });
    } finally {
      await edOnly.stop();
    }
  });
});


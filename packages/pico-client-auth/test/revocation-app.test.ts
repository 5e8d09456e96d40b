import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { controller, get } from "pico-hono";
import { component } from "pico-ioc";
import { AuthConfigurationError, LOCAL_REVOCATIONS, REVOCATION_CHECK, TokenVerifier } from "../src/index.js";
import type { KeySet, KeySource, LocalRevocations, RevocationCheck, RevocationStatus } from "../src/index.js";
import { authApp, authConfig, bearer } from "./app.js";
import { recordingLogger } from "./support/logger.js";
import { revocationFeed } from "./support/revocation-feed.js";
import { defaultClaims, rsaKey, settings, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

@controller()
class Private {
  @get("/private")
  private() {
    return { ok: true };
  }
}

const REVOKED = { status: 401, body: { detail: "Token revoked" }, challenge: 'Bearer realm="api", error="invalid_token", error_description="Token revoked"' };
const NO_JTI = { status: 401, body: { detail: 'Invalid token: "jti" claim missing' }, challenge: `Bearer realm="api", error="invalid_token", error_description="Invalid token: 'jti' claim missing"` };

let key: ClassicalKey;
beforeAll(async () => {
  key = await rsaKey("k1");
});
afterEach(() => vi.unstubAllGlobals());

/** Keys that can vanish WITHOUT a version change: then only the verified-token cache can still answer. */
function vanishingKeys(): KeySource & { set: KeySet } {
  return { set: { keys: [key.jwk], version: 1 }, async getKeySet() { return this.set; } };
}

async function call(app: ReturnType<typeof authApp>, jwt: string) {
  const res = await app.request("/private", bearer(jwt));
  return { status: res.status, body: (await res.json()) as unknown, challenge: res.headers.get("www-authenticate") };
}

/** A stand-in for pico-server-auth's in-process revocation list; `revoked` is shared by the test. */
function inProcessServer(issuer: string, revoked: Set<string>) {
  @component({ provides: LOCAL_REVOCATIONS })
  class InProcessRevocations implements LocalRevocations {
    readonly issuer = issuer;
    get syncedAt(): number {
      return Date.now();
    }
    isRevoked(jti: string): boolean {
      return revoked.has(jti);
    }
  }
  return InProcessRevocations;
}

describe("revocations from an auth server in the same Application", () => {
  it("a revocation is seen by the very next request, even for a token served from the verified-token cache", async () => {
    const revoked = new Set<string>();
    const keys = vanishingKeys();
    const fetchSpy = vi.fn(async () => new Response("no network in this test", { status: 599 }));
    vi.stubGlobal("fetch", fetchSpy);
    const app = authApp([Private, inProcessServer(authConfig.issuer, revoked)], keys);
    const jwt = await sign(key, defaultClaims({ jti: "jti-a" }));
    expect((await call(app, jwt)).status).toBe(200);
    keys.set = { keys: [], version: 1 }; // from here on, only the cache can vouch for the token
    expect((await call(app, jwt)).status).toBe(200);
    revoked.add("jti-a");
    expect(await call(app, jwt)).toEqual(REVOKED);
    revoked.delete("jti-a"); // asked on every use, not remembered
    expect((await call(app, jwt)).status).toBe(200);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("is used only when its issuer is ours", async () => {
    const revoked = new Set(["jti-a"]);
    const app = authApp([Private, inProcessServer("https://other.example.com", revoked)], staticKeySource([key.jwk]));
    // No revocation source at all then: the listed jti and a token without jti both pass.
    expect((await call(app, await sign(key, defaultClaims({ jti: "jti-a" })))).status).toBe(200);
    expect((await call(app, await sign(key, defaultClaims({ jti: undefined })))).status).toBe(200);
  });

  it("wins over revocation_endpoint, which is then never polled", async () => {
    const feed = await revocationFeed();
    try {
      const logger = recordingLogger();
      const revoked = new Set(["jti-a"]);
      const app = authApp([Private, inProcessServer(authConfig.issuer, revoked)], staticKeySource([key.jwk]), {
        config: { auth_client: { ...authConfig, revocation_endpoint: feed.url } },
        logger,
      });
      expect(await call(app, await sign(key, defaultClaims({ jti: "jti-a" })))).toEqual(REVOKED);
      expect((await call(app, await sign(key, defaultClaims({ jti: "jti-b" })))).status).toBe(200);
      expect(feed.requests).toEqual([]);
      expect(logger.lines).toContain("info: pico-client-auth: revocations come from the in-process auth server; revocation_endpoint is not polled");
    } finally {
      await feed.close();
    }
  });
});

describe("tokens without a jti", () => {
  it("are refused when there is a revocation source (they could never be revoked), accepted when there is none", async () => {
    const withSource = authApp([Private, inProcessServer(authConfig.issuer, new Set())], staticKeySource([key.jwk]));
    const withoutSource = authApp([Private], staticKeySource([key.jwk]));
    for (const jti of [undefined, ""]) {
      const jwt = await sign(key, defaultClaims({ jti }));
      expect(await call(withSource, jwt), String(jti)).toEqual(NO_JTI);
      expect((await call(withoutSource, jwt)).status, String(jti)).toBe(200);
    }
  });
});

describe("a REVOCATION_CHECK of your own", () => {
  const answers = new Map<string, string>();
  const asked: string[] = [];
  @component({ provides: REVOCATION_CHECK })
  class Denylist implements RevocationCheck {
    readonly enabled = true;
    async status(jti: string): Promise<RevocationStatus> {
      asked.push(jti);
      return (answers.get(jti) ?? "not-revoked") as RevocationStatus;
    }
  }

  it("replaces the default, asynchronously; an answer it should not give fails closed", async () => {
    const feed = await revocationFeed();
    try {
      const app = authApp([Private, Denylist], staticKeySource([key.jwk]), { config: { auth_client: { ...authConfig, revocation_endpoint: feed.url } } });
      for (const [jti, answer] of [["a", "revoked"], ["b", "unavailable"], ["c", "not-revoked"], ["d", "Revoked"], ["e", ""]]) answers.set(jti as string, answer as string);
      const results = [];
      for (const jti of ["a", "b", "c", "d", "e"]) {
        const res = await app.request("/private", bearer(await sign(key, defaultClaims({ jti }))));
        results.push([jti, res.status, ((await res.json()) as { detail?: string }).detail, res.headers.get("retry-after")]);
      }
      expect(results).toEqual([
        ["a", 401, "Token revoked", null],
        ["b", 503, "Token revocation list unavailable", "1"],
        ["c", 200, undefined, null],
        ["d", 503, "Token revocation list unavailable", "1"],
        ["e", 503, "Token revocation list unavailable", "1"],
      ]);
      expect([asked, feed.requests]).toEqual([["a", "b", "c", "d", "e"], []]);
    } finally {
      await feed.close();
    }
  });

  it("with enabled: false is never asked, and tokens without a jti pass", async () => {
    @component({ provides: REVOCATION_CHECK })
    class Off implements RevocationCheck {
      readonly enabled = false;
      status(): RevocationStatus {
        throw new Error("must not be asked");
      }
    }
    const app = authApp([Private, Off], staticKeySource([key.jwk]));
    expect((await call(app, await sign(key, defaultClaims({ jti: undefined })))).status).toBe(200);
    expect((await call(app, await sign(key, defaultClaims()))).status).toBe(200);
  });
});

describe("TokenVerifier: revocation comes last", () => {
  it("is asked only for tokens whose signature and claims check out", async () => {
    const asked: string[] = [];
    const check: RevocationCheck = { enabled: true, status: (jti) => (asked.push(jti), "revoked") };
    const verifier = new TokenVerifier(settings(), staticKeySource([key.jwk]), check);
    const other = await rsaKey("k1");
    const now = Math.floor(Date.now() / 1000);
    const bad = [await sign(other, defaultClaims({ jti: "forged" })), await sign(key, defaultClaims({ jti: "expired", exp: now - 60 })), await sign(key, defaultClaims({ jti: "foreign", aud: "x" }))];
    for (const jwt of bad) expect((await verifier.verify(jwt).catch((e: Error) => e)) as Error).toMatchObject({ status: 401, code: expect.not.stringMatching("TOKEN_REVOKED") });
    expect(asked).toEqual([]);
    const error = await verifier.verify(await sign(key, defaultClaims({ jti: "good" }))).catch((e: unknown) => e);
    expect([error, asked]).toEqual([expect.objectContaining({ code: "TOKEN_REVOKED", status: 401, message: "Token revoked" }), ["good"]]);
  });
});

describe("revocation settings at boot", () => {
  it("fail clearly for a plain-http remote feed, a relative URL, credentials in it, a bad bearer, a bad TTL or an unknown key", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ revocation_endpoint: "http://auth.example.com/api/v1/auth/revoked-jtis" }, "auth_client.revocation_endpoint must use https (plain http only on localhost), got http://auth.example.com/api/v1/auth/revoked-jtis"],
      [{ revocation_endpoint: "http://10.0.0.5/revoked" }, "auth_client.revocation_endpoint must use https (plain http only on localhost), got http://10.0.0.5/revoked"],
      [{ revocation_endpoint: "ftp://localhost/revoked" }, 'auth_client.revocation_endpoint: expected an absolute http(s) URL, got a ftp: URL: "ftp://localhost/revoked" (from config)'],
      [{ revocation_endpoint: "/api/v1/auth/revoked-jtis" }, 'auth_client.revocation_endpoint: expected an absolute http(s) URL (such as "https://auth.example.com"), got "/api/v1/auth/revoked-jtis" (from config)'],
      [{ revocation_endpoint: "https://svc:hunter2@auth.example.com/revoked" }, "auth_client.revocation_endpoint: expected an absolute http(s) URL without user:password@, got a URL with credentials (from config)"],
      [{ revocation_endpoint: "https://auth.example.com/revoked", revocation_bearer: "Bearer hunter2" }, 'auth_client.revocation_bearer must be printable ASCII without spaces (the token alone, without "Bearer ")'],
      [{ revocation_endpoint: "https://auth.example.com/revoked", revocation_bearer: "hunter2\r\nX-Evil: 1" }, "auth_client.revocation_bearer must be printable ASCII without spaces"],
      [{ revocation_ttl_seconds: 0 }, "auth_client.revocation_ttl_seconds"],
      [{ revocation_ttl_seconds: 1.5 }, "auth_client.revocation_ttl_seconds"],
      [{ revocation_fail_open: "sometimes" }, "auth_client.revocation_fail_open"],
      [{ revocation_endpont: "https://auth.example.com/revoked" }, 'auth_client.revocation_endpont: unknown key; did you mean "revocation_endpoint"?'],
      [{ revocation_url: "https://auth.example.com/revoked" }, 'auth_client.revocation_url: unknown key; expected one of "accepted_algorithms"'],
    ];
    for (const [extra, message] of cases) {
      const error = await authApp([Private], staticKeySource([]), { config: { auth_client: { ...authConfig, ...extra } } }).init().catch((e: unknown) => e);
      expect((error as Error).message, message).toContain(message);
      expect((error as Error).message).not.toContain("hunter2");
    }
    const http = await authApp([Private], staticKeySource([]), { config: { auth_client: { ...authConfig, revocation_endpoint: "http://auth.example.com/r" } } }).init().catch((e: unknown) => e);
    expect((http as { cause?: unknown }).cause).toBeInstanceOf(AuthConfigurationError);
  });

  it("accept https anywhere and plain http on loopback", async () => {
    for (const revocation_endpoint of ["https://auth.example.com/api/v1/auth/revoked-jtis", "http://localhost:8100/r", "http://127.0.0.1:8100/r", "http://[::1]:8100/r"]) {
      const app = authApp([Private], staticKeySource([]), { config: { auth_client: { ...authConfig, revocation_endpoint, revocation_bearer: "svc.token-1~+/=" } } });
      await expect(app.init(), revocation_endpoint).resolves.toBeDefined();
    }
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import { AuthClientError } from "../src/errors.js";
import { RemoteJwks } from "../src/keys/remote-jwks.js";
import type { RemoteJwksOptions } from "../src/keys/remote-jwks.js";
import { NO_REVOCATION_CHECK } from "../src/revocation/default-revocation-check.js";
import { TokenVerifier } from "../src/token/token-verifier.js";
import { fakeEndpoint } from "./support/fake-endpoint.js";
import { defaultClaims, ecKey, rsaKey, settings, sign } from "./support/tokens.js";

const URL = "https://auth.example.com/api/v1/auth/jwks";
const A: JWK = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "a", alg: "EdDSA" };
const B: JWK = { kty: "OKP", crv: "Ed25519", x: "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08", kid: "b", alg: "EdDSA" };

/** A RemoteJwks on a fake clock and a fake fetch that counts calls; `state` steers the endpoint. */
function harness(options: Partial<RemoteJwksOptions> = {}) {
  const endpoint = fakeEndpoint(URL, { keys: [A] });
  const state = Object.assign(endpoint.state, { clock: 0, warnings: [] as string[] });
  const { fetch } = endpoint;
  const logger = { debug() {}, info() {}, warn: (message: string) => void state.warnings.push(message), error() {} };
  const jwks = new RemoteJwks({ url: URL, ttlMs: 60_000, cooldownMs: 30_000, timeoutMs: 1000, logger, fetch, now: () => state.clock, ...options });
  return { jwks, state };
}

/** The AuthClientError `promise` fails with, as `[code, status, message, headers, cause message]`. */
async function failure(result: unknown): Promise<unknown[]> {
  const error = await Promise.resolve(result).then(() => "resolved", (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthClientError);
  const { code, status, message, headers, cause } = error as AuthClientError;
  return [code, status, message, headers, (cause as Error | undefined)?.message];
}
const unavailable = (cause: string) => ["KEYS_UNAVAILABLE", 503, "Token signing keys are unavailable; try again later", { "Retry-After": "5" }, cause];

describe("RemoteJwks caching", () => {
  it("fetches once, reuses the set within the TTL, refetches after it; version changes only with the keys", async () => {
    const { jwks, state } = harness();
    const first = await jwks.getKeySet();
    expect([first, state.fetches]).toEqual([{ keys: [A], version: 1 }, 1]);
    expect(new Headers(state.inits[0]?.headers).get("accept")).toBe("application/json");
    expect(state.inits[0]?.signal).toBeInstanceOf(AbortSignal);
    state.clock = 59_999;
    // Fresh: the set itself, not a promise (the per-request path).
    expect([jwks.getKeySet(), state.fetches]).toEqual([first, 1]);
    state.clock = 60_000;
    const same = await jwks.getKeySet();
    expect([same === first, state.fetches]).toEqual([true, 2]); // unchanged keys: same set, same version
    state.body = { keys: [A, B] };
    state.clock = 120_000;
    expect([await jwks.getKeySet(), state.fetches]).toEqual([{ keys: [A, B], version: 2 }, 3]);
    state.clock = 179_999;
    expect([(await jwks.getKeySet()).version, state.fetches]).toEqual([2, 3]);
    state.body = { keys: [B] };
    state.clock = 180_000;
    expect([await jwks.getKeySet(), state.fetches]).toEqual([{ keys: [B], version: 3 }, 4]);
  });

  it("a TTL of 0 refetches on every call", async () => {
    const { jwks, state } = harness({ ttlMs: 0 });
    for (let i = 0; i < 3; i++) await jwks.getKeySet();
    expect(state.fetches).toBe(3);
  });

  it("refresh: true fetches at most once per cooldown", async () => {
    const { jwks, state } = harness();
    await jwks.getKeySet();
    state.body = { keys: [A, B] };
    state.clock = 1;
    const versions = [];
    for (let i = 0; i < 100; i++) versions.push((await jwks.getKeySet({ refresh: true })).version);
    expect([state.fetches, new Set(versions)]).toEqual([2, new Set([2])]);
    state.clock = 30_000; // 29 999 ms after the last refresh
    await jwks.getKeySet({ refresh: true });
    expect(state.fetches).toBe(2);
    state.clock = 30_001;
    await jwks.getKeySet({ refresh: true });
    expect(state.fetches).toBe(3);
    state.clock = 60_000;
    await jwks.getKeySet({ refresh: true });
    expect(state.fetches).toBe(3);
    state.clock = 60_001;
    await jwks.getKeySet({ refresh: true });
    expect(state.fetches).toBe(4);
  });

  it("concurrent calls on an empty cache share one fetch", async () => {
    const { jwks, state } = harness();
    const sets = await Promise.all(Array.from({ length: 20 }, () => jwks.getKeySet()));
    expect([state.fetches, sets.every((s) => s === sets[0]), sets[0]]).toEqual([1, true, { keys: [A], version: 1 }]);
  });

  // Concurrent refreshes share one fetch, but only the caller that started it waits for it: the
  // others get the old set at once, and tokens signed with the rotated-in key fail with 401.
  it("after a key rotation, concurrent requests carrying the new kid all verify", async () => {
    const [old, rotated] = [await rsaKey("old"), await rsaKey("new")];
    const { jwks, state } = harness();
    [state.body, state.delayMs] = [{ keys: [old.jwk] }, 20];
    const verifier = new TokenVerifier(settings(), jwks, NO_REVOCATION_CHECK);
    await verifier.verify(await sign(old, defaultClaims()));
    state.body = { keys: [old.jwk, rotated.jwk] };
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => sign(rotated, defaultClaims({ sub: `u${i}` }))));
    const results = await Promise.all(tokens.map((t) => verifier.verify(t).then((c) => c.sub, (e: Error) => e.message)));
    expect([results, state.fetches]).toEqual([tokens.map((_, i) => `u${i}`), 2]);
  });
});

describe("RemoteJwks failures", () => {
  it("an outage with nothing cached is a 503, retried only after the 5 s backoff, then recovers", async () => {
    const { jwks, state } = harness();
    state.down = true;
    expect(await failure(jwks.getKeySet())).toEqual(unavailable("fetch failed"));
    expect(state.warnings).toEqual([`pico-client-auth: cannot refresh the JWKS from ${URL}`]);
    state.clock = 4999;
    expect(await failure(jwks.getKeySet({ refresh: true }))).toEqual(unavailable("fetch failed"));
    expect(state.fetches).toBe(1);
    state.clock = 5000;
    [state.down, state.status] = [false, 500];
    expect(await failure(jwks.getKeySet())).toEqual(unavailable(`JWKS ${URL} answered 500`));
    expect(state.fetches).toBe(2);
    state.status = 200;
    state.clock = 9999;
    expect(await failure(jwks.getKeySet())).toEqual(unavailable(`JWKS ${URL} answered 500`));
    state.clock = 10_000;
    expect([await jwks.getKeySet(), state.fetches]).toEqual([{ keys: [A], version: 1 }, 3]);
  });

  it("a failed refresh keeps the last good set, backs off, and picks up new keys once the issuer is back", async () => {
    const { jwks, state } = harness();
    const good = await jwks.getKeySet();
    state.down = true;
    state.clock = 60_000;
    expect([(await jwks.getKeySet()) === good, state.fetches]).toEqual([true, 2]);
    expect(state.warnings).toEqual([`pico-client-auth: cannot refresh the JWKS from ${URL}; keeping the last good key set`]);
    state.clock = 64_999;
    expect([(await jwks.getKeySet({ refresh: true })) === good, (await jwks.getKeySet()) === good, state.fetches]).toEqual([true, true, 2]);
    state.clock = 65_000;
    expect([(await jwks.getKeySet()) === good, state.fetches]).toEqual([true, 3]);
    [state.down, state.body] = [false, { keys: [B] }];
    state.clock = 70_000;
    expect([await jwks.getKeySet(), state.fetches]).toEqual([{ keys: [B], version: 2 }, 4]);
  });

  it("the backoff is the cooldown when that is shorter", async () => {
    const { jwks, state } = harness({ cooldownMs: 1000 });
    state.down = true;
    await failure(jwks.getKeySet());
    state.clock = 999;
    await failure(jwks.getKeySet());
    state.clock = 1000;
    await failure(jwks.getKeySet());
    expect(state.fetches).toBe(2);
  });

  it("a request that hangs is aborted after timeoutMs", async () => {
    let fetches = 0;
    const hanging = ((_url: string, init: RequestInit) => {
      fetches++;
      return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    }) as typeof fetch;
    const { jwks } = harness({ timeoutMs: 50, fetch: hanging });
    const started = performance.now();
    const error = await Promise.resolve(jwks.getKeySet()).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect([(error as AuthClientError).code, (error as AuthClientError).status, ((error as Error).cause as Error).name, fetches]).toEqual(["KEYS_UNAVAILABLE", 503, "TimeoutError", 1]);
  });

  it("a body without a keys array is a failure; entries that are not keys are dropped", async () => {
    for (const body of [{}, null, { keys: "x" }, { keys: { a: A } }]) {
      const { jwks, state } = harness();
      state.body = body;
      expect(await failure(jwks.getKeySet()), JSON.stringify(body)).toEqual(unavailable('JWKS body has no "keys" array'));
    }
    const html = harness({ fetch: (async () => new Response("<html>", { status: 200 })) as typeof fetch });
    expect((await failure(html.jwks.getKeySet()))[0]).toBe("KEYS_UNAVAILABLE");
    const { jwks, state } = harness();
    state.body = { keys: [A, null, 5, "k", { kid: "no-kty" }, { kty: 1 }, B] };
    expect(await jwks.getKeySet()).toEqual({ keys: [A, B], version: 1 });
    state.body = { nokeys: true };
    state.clock = 60_000;
    expect(await jwks.getKeySet()).toEqual({ keys: [A, B], version: 1 });
  });
});

describe("RemoteJwks over real HTTP", () => {
  it("serves a verifier from a local JWKS endpoint, with one request per TTL and per unknown-kid cooldown", async () => {
    const key = await rsaKey("k1");
    const stranger = await ecKey("unknown");
    const requests: { url?: string; accept?: string }[] = [];
    const server = createServer((req, res) => {
      requests.push({ url: req.url, accept: req.headers.accept });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [key.jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/auth/jwks`;
      const jwks = new RemoteJwks({ url, ttlMs: 60_000, cooldownMs: 30_000, timeoutMs: 2000, logger: { debug() {}, info() {}, warn() {}, error() {} } });
      const verifier = new TokenVerifier(settings(), jwks, NO_REVOCATION_CHECK);
      const token = await sign(key, defaultClaims());
      expect((await verifier.verify(token)).sub).toBe("user-123");
      expect((await verifier.verify(await sign(key, defaultClaims({ sub: "other" })))).sub).toBe("other");
      expect(requests).toEqual([{ url: "/api/v1/auth/jwks", accept: "application/json" }]);
      for (let i = 0; i < 5; i++) {
        const error = await verifier.verify(await sign(stranger, defaultClaims())).catch((e: unknown) => e);
        expect((error as Error).message).toBe("Invalid token: no matching signing key");
      }
      expect(requests).toHaveLength(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

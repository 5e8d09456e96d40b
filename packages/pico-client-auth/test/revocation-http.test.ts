import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { controller, get } from "pico-hono";
import { authApp, authConfig, bearer } from "./app.js";
import { recordingLogger } from "./support/logger.js";
import type { RecordingLogger } from "./support/logger.js";
import { FEED_PATH, revocationFeed, unreachableUrl } from "./support/revocation-feed.js";
import type { RevocationFeed } from "./support/revocation-feed.js";
import { defaultClaims, rsaKey, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

@controller()
class Private {
  @get("/private")
  private() {
    return { ok: true };
  }
}

const START = 1_800_000_000_000;
const REVOKED = { status: 401, body: { detail: "Token revoked" }, challenge: 'Bearer realm="api", error="invalid_token", error_description="Token revoked"', retryAfter: null };
const UNAVAILABLE = { status: 503, body: { detail: "Token revocation list unavailable" }, challenge: null, retryAfter: "1" };
const OK = { status: 200, body: { ok: true }, challenge: null, retryAfter: null };

let key: ClassicalKey;
let feed: RevocationFeed;
let logger: RecordingLogger;
beforeAll(async () => {
  key = await rsaKey("k1");
});
// The source built from config reads Date.now: only Date is faked, sockets and timeouts stay real.
beforeEach(async () => {
  feed = await revocationFeed();
  logger = recordingLogger();
  vi.useFakeTimers({ toFake: ["Date"], now: START });
});
afterEach(async () => {
  vi.useRealTimers();
  await feed.close();
});

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);
const token = (jti: string) => sign(key, defaultClaims({ jti }));

/** The app as configured: pico-client-auth's own revocation source, from the auth_client section. */
function feedApp(settings: Record<string, unknown> = {}) {
  return authApp([Private], staticKeySource([key.jwk]), { config: { auth_client: { ...authConfig, revocation_endpoint: feed.url, ...settings } }, logger });
}

async function call(app: ReturnType<typeof feedApp>, jwt: string) {
  const res = await app.request("/private", bearer(jwt));
  return { status: res.status, body: (await res.json()) as unknown, challenge: res.headers.get("www-authenticate"), retryAfter: res.headers.get("retry-after") };
}

describe("revocation feed over HTTP", () => {
  it("a jti the feed lists is refused after the next poll, cached token or not; the bearer goes with each poll", async () => {
    const app = feedApp({ revocation_bearer: "svc-secret" });
    const [a, b] = [await token("jti-a"), await token("jti-b")];
    expect(await call(app, a)).toEqual(OK);
    expect(feed.requests).toEqual([{ method: "GET", path: FEED_PATH, authorization: "Bearer svc-secret", accept: "application/json" }]);
    feed.state.body = { items: [{ jti: "jti-a" }] };
    advance(15_000); // revocation_ttl_seconds: the list is still young enough
    expect([await call(app, a), feed.requests.length]).toEqual([OK, 1]);
    advance(1);
    expect(await call(app, a)).toEqual(REVOKED);
    expect([await call(app, b), feed.requests.length]).toEqual([OK, 2]);
    expect(feed.requests[1]?.authorization).toBe("Bearer svc-secret");
    expect(logger.text()).not.toContain("svc-secret");
  });

  it("without revocation_bearer no Authorization header is sent; revocation_ttl_seconds sets the poll", async () => {
    const app = feedApp({ revocation_ttl_seconds: 2 });
    const a = await token("jti-a");
    await call(app, a);
    advance(2001);
    await call(app, a);
    expect(feed.requests.map((r) => r.authorization)).toEqual([undefined, undefined]);
  });

  it("concurrent requests share one fetch, on first use and when the list has aged", async () => {
    const app = feedApp();
    feed.state.delayMs = 50;
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => token(`jti-${i}`)));
    expect((await Promise.all(tokens.map((t) => call(app, t)))).map((r) => r.status)).toEqual(tokens.map(() => 200));
    expect(feed.requests).toHaveLength(1);
    feed.state.body = { items: [{ jti: "jti-7" }] };
    advance(15_001);
    const statuses = (await Promise.all(tokens.map((t) => call(app, t)))).map((r) => r.status);
    expect([statuses, feed.requests.length]).toEqual([tokens.map((_, i) => (i === 7 ? 401 : 200)), 2]);
  });
});

describe("revocation feed down, fail-closed (the default)", () => {
  it("503 when the feed answers 500 or a malformed body, until it is back", async () => {
    const app = feedApp();
    const a = await token("jti-a");
    const failures: [number, unknown][] = [[500, { items: [] }], [200, "<html>maintenance</html>"], [200, {}], [200, { items: "jti-a" }], [200, []]];
    for (const [status, body] of failures) {
      Object.assign(feed.state, { status, body });
      expect(await call(app, a), JSON.stringify(body)).toEqual(UNAVAILABLE);
      advance(1000); // the next try waits out the 1 s backoff
    }
    expect(feed.requests).toHaveLength(5);
    Object.assign(feed.state, { status: 200, body: { items: null } });
    expect(await call(app, a)).toEqual(OK);
    // Less the access log's lines ("info: request", one per call).
    expect(logger.lines.filter((line) => line !== "info: request")).toEqual([
      `warn: pico-client-auth: cannot refresh the revocation list from ${feed.url}; answering 503 to every token until it is back`, // once: the later failures fall in the same minute
      `info: pico-client-auth: the revocation list from ${feed.url} is available again`,
    ]);
  });

  it("a list that ages while the feed is down stops vouching for tokens; what it listed stays revoked", async () => {
    const app = feedApp();
    const [a, b] = [await token("jti-a"), await token("jti-b")];
    feed.state.body = { items: [{ jti: "jti-a" }] };
    expect([await call(app, a), await call(app, b)]).toEqual([REVOKED, OK]);
    feed.state.status = 502;
    advance(15_001);
    expect([await call(app, b), await call(app, a)]).toEqual([UNAVAILABLE, REVOKED]);
  });

  it("503 when the feed is unreachable", async () => {
    const app = authApp([Private], staticKeySource([key.jwk]), { config: { auth_client: { ...authConfig, revocation_endpoint: await unreachableUrl() } }, logger });
    expect(await call(app, await token("jti-a"))).toEqual(UNAVAILABLE);
    expect(logger.text()).toContain("ECONNREFUSED");
  });

  it("503 when the feed does not answer within 5 s", async () => {
    const app = feedApp();
    feed.state.hang = true;
    const started = performance.now();
    expect(await call(app, await token("jti-a"))).toEqual(UNAVAILABLE);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(4500);
    expect(elapsed).toBeLessThan(8000);
    expect(logger.text()).toContain("TimeoutError");
  }, 15_000);
});

describe("revocation feed down, revocation_fail_open: true", () => {
  it("accepts tokens without a list, then checks against the last list fetched", async () => {
    const app = feedApp({ revocation_fail_open: true });
    const [a, b] = [await token("jti-a"), await token("jti-b")];
    feed.state.status = 500;
    expect(await call(app, a)).toEqual(OK);
    Object.assign(feed.state, { status: 200, body: { items: [{ jti: "jti-a" }] } });
    advance(1000);
    expect([await call(app, a), await call(app, b)]).toEqual([REVOKED, OK]);
    feed.state.status = 500;
    advance(15_001);
    expect([await call(app, a), await call(app, b), feed.requests.length]).toEqual([REVOKED, OK, 3]);
    // The second outage falls within the same minute: rate-limited into the next warning.
    expect(logger.lines.filter((line) => line.startsWith("warn:"))).toEqual([
      `warn: pico-client-auth: cannot refresh the revocation list from ${feed.url}; fail-open: accepting tokens without any revocation check`,
    ]);
  });
});

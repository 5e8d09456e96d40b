import { describe, expect, it } from "vitest";
import { RemoteRevocations } from "../src/revocation/remote-revocations.js";
import type { RemoteRevocationsOptions } from "../src/revocation/remote-revocations.js";
import { fakeEndpoint } from "./support/fake-endpoint.js";
import { recordingLogger } from "./support/logger.js";

const URL = "https://auth.example.com/api/v1/auth/revoked-jtis";
const items = (...jtis: string[]) => ({ items: jtis.map((jti) => ({ jti })) });

/** A RemoteRevocations on a fake clock and a fake fetch that counts calls; `state` steers the feed. */
function harness(options: Partial<RemoteRevocationsOptions> = {}) {
  const endpoint = fakeEndpoint(URL, items());
  const state = Object.assign(endpoint.state, { clock: 0 });
  const { fetch } = endpoint;
  const logger = recordingLogger();
  const list = new RemoteRevocations({ url: URL, ttlMs: 15_000, failOpen: false, logger, fetch, now: () => state.clock, ...options });
  return { list, state, logger };
}

describe("RemoteRevocations: polling", () => {
  it("first use fetches; within the TTL answers synchronously without a fetch; older refetches and replaces the whole set", async () => {
    const { list, state } = harness();
    state.body = items("a", "b");
    const first = list.status("a");
    expect(first).toBeInstanceOf(Promise);
    expect([await first, state.fetches]).toEqual(["revoked", 1]);
    expect([list.status("b"), list.status("c")]).toEqual(["revoked", "not-revoked"]); // not promises: the hot path
    state.body = items("c");
    state.clock = 15_000; // exactly the TTL: still fresh
    expect([list.status("a"), state.fetches]).toEqual(["revoked", 1]);
    state.clock = 15_001;
    expect([await list.status("a"), list.status("b"), list.status("c"), state.fetches]).toEqual(["not-revoked", "not-revoked", "revoked", 2]);
  });

  it("items: null is an empty list; entries without a non-empty string jti are skipped", async () => {
    const { list, state } = harness();
    state.body = { items: null };
    expect(await list.status("a")).toBe("not-revoked");
    state.body = { items: [{ jti: "a", revoked_at: 1 }, { jti: 5 }, { id: "b" }, null, "c", ["d"], { jti: "" }, { jti: "e", reason: "logout" }] };
    state.clock = 15_001;
    const answers = await Promise.all(["a", "5", "b", "c", "d", "", "e"].map((jti) => list.status(jti)));
    expect(answers).toEqual(["revoked", "not-revoked", "not-revoked", "not-revoked", "not-revoked", "not-revoked", "revoked"]);
  });

  it("any other body is a failed fetch, never an empty list", async () => {
    for (const body of [{}, [], null, { items: "a" }, { items: { jti: "a" } }, { items: 5 }, "<html>down</html>", ""]) {
      const { list, state, logger } = harness();
      state.body = body;
      expect(await list.status("a"), JSON.stringify(body)).toBe("unavailable");
      expect(logger.lines).toEqual([`warn: pico-client-auth: cannot refresh the revocation list from ${URL}; answering 503 to every token until it is back`]);
    }
  });

  it("sends the bearer only when configured, asks for JSON, refuses redirects and sets a timeout", async () => {
    const withBearer = harness({ bearer: "svc-secret" });
    await withBearer.list.status("a");
    const [init] = withBearer.state.inits;
    expect([new Headers(init?.headers).get("authorization"), new Headers(init?.headers).get("accept"), init?.redirect]).toEqual(["Bearer svc-secret", "application/json", "error"]);
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    for (const bearer of [undefined, ""]) {
      const without = harness({ bearer });
      await without.list.status("a");
      expect(new Headers(without.state.inits[0]?.headers).has("authorization"), String(bearer)).toBe(false);
    }
  });

  it("concurrent calls share one fetch, on an empty list and on a stale one; all see its result", async () => {
    const { list, state } = harness();
    [state.body, state.delayMs] = [items("j3"), 20];
    const jtis = Array.from({ length: 20 }, (_, i) => `j${i}`);
    const expected = jtis.map((jti) => (jti === "j3" ? "revoked" : "not-revoked"));
    expect(await Promise.all(jtis.map((jti) => list.status(jti)))).toEqual(expected);
    expect(state.fetches).toBe(1);
    [state.body, state.clock] = [items("j4"), 15_001];
    expect(await Promise.all(jtis.map((jti) => list.status(jti)))).toEqual(jtis.map((jti) => (jti === "j4" ? "revoked" : "not-revoked")));
    expect(state.fetches).toBe(2);
  });
});

describe("RemoteRevocations: failures", () => {
  it("fail-closed: once the list is too old and cannot be refreshed, unlisted ids are unavailable; retried after 1 s; recovers", async () => {
    const { list, state, logger } = harness();
    state.body = items("a");
    await list.status("a");
    [state.down, state.clock] = [true, 15_001];
    expect([await list.status("b"), state.fetches]).toEqual(["unavailable", 2]);
    expect(list.status("a")).toBe("revoked"); // listed before: still revoked, a 401 rather than a 503
    state.clock = 16_000; // 999 ms after the failure: no new try
    expect([list.status("b"), state.fetches]).toEqual(["unavailable", 2]);
    state.clock = 16_001;
    expect([await list.status("b"), state.fetches]).toEqual(["unavailable", 3]);
    [state.down, state.status, state.clock] = [false, 500, 17_001];
    expect([await list.status("b"), state.fetches]).toEqual(["unavailable", 4]);
    [state.status, state.body, state.clock] = [200, items("b"), 18_001];
    expect([await list.status("b"), list.status("a"), list.status("c"), state.fetches]).toEqual(["revoked", "not-revoked", "not-revoked", 5]);
    expect(logger.lines).toEqual([
      `warn: pico-client-auth: cannot refresh the revocation list from ${URL}; answering 503 to every token until it is back`,
      `info: pico-client-auth: the revocation list from ${URL} is available again`,
    ]);
  });

  it("a feed that hangs is given up after timeoutMs", async () => {
    let fetches = 0;
    const hanging = ((_url: string, init: RequestInit) => {
      fetches++;
      return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    }) as typeof fetch;
    const { list, logger } = harness({ fetch: hanging, timeoutMs: 50 });
    const started = performance.now();
    expect(await list.status("a")).toBe("unavailable");
    expect(performance.now() - started).toBeLessThan(2000);
    expect([fetches, logger.text()]).toEqual([1, expect.stringContaining("TimeoutError")]);
  });

  it("warns at most once a minute, counting the failures in between; the bearer never reaches the log", async () => {
    const { list, state, logger } = harness({ bearer: "svc-secret" });
    state.down = true;
    for (let second = 0; second <= 60; second++) {
      state.clock = second * 1000;
      await list.status("a");
    }
    expect(state.fetches).toBe(61);
    expect(logger.lines).toEqual([
      `warn: pico-client-auth: cannot refresh the revocation list from ${URL}; answering 503 to every token until it is back`,
      `warn: pico-client-auth: cannot refresh the revocation list from ${URL}; answering 503 to every token until it is back (59 more failed fetches since the last warning)`,
    ]);
    expect(logger.text()).toContain("fetch failed");
    expect(logger.text()).not.toContain("svc-secret");
  });

  it("fail-open with no list yet accepts every token, and says so", async () => {
    const { list, state, logger } = harness({ failOpen: true });
    state.down = true;
    expect([await list.status("a"), list.status("a")]).toEqual(["not-revoked", "not-revoked"]);
    expect(logger.lines).toEqual([`warn: pico-client-auth: cannot refresh the revocation list from ${URL}; fail-open: accepting tokens without any revocation check`]);
  });

  it("fail-open with an old list keeps checking against it", async () => {
    const { list, state, logger } = harness({ failOpen: true });
    state.body = items("a");
    await list.status("a");
    [state.down, state.clock] = [true, 15_001];
    expect([await list.status("a"), list.status("b"), state.fetches]).toEqual(["revoked", "not-revoked", 2]);
    expect(logger.lines).toEqual([`warn: pico-client-auth: cannot refresh the revocation list from ${URL}; fail-open: checking tokens against the last list fetched`]);
  });
});

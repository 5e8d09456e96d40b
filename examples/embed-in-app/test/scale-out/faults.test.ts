import { afterAll, describe, expect, it } from "vitest";
import { ownPostgresCluster, ownRedis, serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { ADMIN_EMAIL } from "../../src/config.js";
import { Deployment, PROOF_TIMEOUT_MS, SYNC_INTERVAL_MS } from "./deployment.js";
import { call, detail, sleep, within } from "./http.js";
import type { Answer } from "./http.js";
import { report } from "./figures.js";
import { ed25519Wallet, logout, profile, redeem, refresh, signIn, signedChallenge } from "./wallet.js";

// A revocation reaches every instance within one reread when no signal can (the signal's server is down).
const PROPAGATION_MS = SYNC_INTERVAL_MS + 500;
const REVOCATION_TTL_SECONDS = 5;
const RECOVERY_MS = 15_000;

/** 503 with a JSON `{"detail"}`: what an operation that cannot reach its store answers, never a 500. */
function expectUnavailable(answer: Answer, what: string): void {
  expect({ what, status: answer.status, json: String(answer.headers["content-type"]).startsWith("application/json") }).toEqual({ what, status: 503, json: true });
  expect(detail(answer), what).toEqual(expect.any(String));
}

/** Whatever the status, never a 500; a 5xx is a 503 with a detail. */
function expectNoServerError(answer: Answer, what: string): void {
  if (answer.status >= 500) expectUnavailable(answer, what);
}

const alive = (instance: Instance): boolean => {
  try {
    process.kill(instance.pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Signs in until it works again after an outage, on each instance: `across` with the challenge of the one redeemed on the other. */
const recovered = (a: Instance, b: Instance, across: boolean) =>
  within("sign-in works again", RECOVERY_MS, async () => {
    const signIns = across ? [signIn(a.url, b.url), signIn(b.url, a.url)] : [signIn(a.url), signIn(b.url)];
    return (await Promise.allSettled(signIns)).every((result) => result.status === "fulfilled");
  }, 200);

const failedLogin = (instance: Instance) => call(instance.url, "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: "not the admin password" } });

// These stop servers: only servers this file started itself (a redis-server and a PostgreSQL cluster
// on free ports), never the shared ones. One at a time: every test that stops a server is in this
// file, whose tests run in sequence (concurrent: false, even under --sequence.concurrent).
describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("outages of Redis and PostgreSQL, on servers of the test's own", { concurrent: false, timeout: PROOF_TIMEOUT_MS }, () => {
  const closers: (() => unknown)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        console.error(error);
      }
    }
  });

  it("Redis stopped, then started: challenge and sign-in answer 503 with a JSON detail (never 500), no revoked token is accepted, and all recovers without restarting the app", async () => {
    const redis = await ownRedis();
    closers.push(() => redis.close());
    const deployment = new Deployment({ redisUrl: redis.url });
    closers.push(() => deployment.close());
    const [a, b] = (await deployment.start(2)) as [Instance, Instance];

    const revoked = await signIn(a.url, b.url);
    expect((await logout(a.url, revoked.refresh_token)).status).toBe(204);
    await within("B refuses the logged-out session", PROPAGATION_MS, async () => (await profile(b.url, revoked.access_token)).status === 401);
    const live = await signIn(b.url, a.url);
    const pending = await signedChallenge(a.url);

    const observed: Record<string, number> = {};
    await redis.stop();
    try {
      for (const instance of [a, b]) {
        const wallet = ed25519Wallet();
        expectUnavailable(await call(instance.url, "/api/v1/auth/challenge", { body: { address: wallet.address, algorithm: wallet.algorithm } }), "challenge");
        expectUnavailable(await redeem(instance.url, pending), "sign-in");
        expect((await profile(instance.url, revoked.access_token)).status).toBe(401);
        // The access tokens' check needs no Redis: the revocation view comes from PostgreSQL.
        expect((await profile(instance.url, live.access_token)).status).toBe(200);
        const login = await failedLogin(instance);
        expectNoServerError(login, "login");
        observed.login = login.status;
      }
      const refreshed = await refresh(a.url, live.refresh_token);
      expectNoServerError(refreshed, "refresh");
      observed.refresh = refreshed.status;

      // A logout meanwhile is committed to PostgreSQL; without pub/sub, the other instance learns it
      // by rereading the feed.
      const ended = await logout(a.url, refreshed.status === 200 ? refreshed.body.refresh_token : live.refresh_token);
      expect(ended.status, ended.text).toBe(204);
      const token = refreshed.status === 200 ? refreshed.body.access_token : live.access_token;
      const delay = await within("B refuses a session ended during the outage", PROPAGATION_MS, async () => (await profile(b.url, token)).status === 401);
      observed.logoutPropagationMs = Math.round(delay);
      // Still none accepted a little later.
      await sleep(SYNC_INTERVAL_MS);
      for (const instance of [a, b]) for (const t of [revoked.access_token, token]) expect((await profile(instance.url, t)).status).toBe(401);
    } finally {
      await redis.start();
    }

    const recoveryMs = await recovered(a, b, true);
    report("redis-outage", { duringOutage: observed, recoveryMsAfterRestart: Math.round(recoveryMs) });
    expect([alive(a), alive(b)]).toEqual([true, true]);
    for (const instance of [a, b]) expect((await profile(instance.url, revoked.access_token)).status).toBe(401);
  });

  it("PostgreSQL restarted: sign-in, refresh and logout answer 503 with a JSON detail (never 500); revoked tokens stay refused; past revocation_ttl_seconds tokens fail closed (503) or open as revocation_fail_open says; all recovers without restarting the app", async () => {
    const cluster = await ownPostgresCluster();
    closers.push(() => cluster.close());
    const deployment = new Deployment({ postgresServer: cluster.url, env: { AUTH_CLIENT__REVOCATION_TTL_SECONDS: String(REVOCATION_TTL_SECONDS) } });
    closers.push(() => deployment.close());
    const [closed] = (await deployment.start(1, { AUTH_CLIENT__REVOCATION_FAIL_OPEN: "false" })) as [Instance];
    const [open] = (await deployment.start(1, { AUTH_CLIENT__REVOCATION_FAIL_OPEN: "true" })) as [Instance];

    // Each sign-in on one instance: this test is about PostgreSQL (challenges across instances are Redis's, above).
    const revoked = await signIn(closed.url);
    expect((await logout(closed.url, revoked.refresh_token)).status).toBe(204);
    await within("the other instance refuses the logged-out session", PROPAGATION_MS, async () => (await profile(open.url, revoked.access_token)).status === 401);
    const live = await signIn(open.url);
    const pending = { closed: await signedChallenge(closed.url), open: await signedChallenge(open.url) };

    const observed: Record<string, number> = {};
    const stopping = performance.now();
    cluster.stop();
    const stoppedAt = performance.now();
    try {
      // Within the ttl: the view each instance read last answers, revoked tokens included.
      for (const instance of [closed, open]) {
        expect((await profile(instance.url, live.access_token)).status).toBe(200);
        expect((await profile(instance.url, revoked.access_token)).status).toBe(401);
      }
      expect(performance.now() - stoppedAt, "the checks within the ttl took too long").toBeLessThan((REVOCATION_TTL_SECONDS - 2) * 1000);

      for (const instance of [closed, open]) {
        expectUnavailable(await redeem(instance.url, instance === closed ? pending.closed : pending.open), "sign-in");
        expectUnavailable(await refresh(instance.url, live.refresh_token), "refresh");
        expectUnavailable(await logout(instance.url, live.refresh_token), "logout");
        const login = await failedLogin(instance);
        expectNoServerError(login, "login");
        observed.login = login.status;
        const wallet = ed25519Wallet();
        const challenge = await call(instance.url, "/api/v1/auth/challenge", { body: { address: wallet.address, algorithm: wallet.algorithm } });
        expectNoServerError(challenge, "challenge");
        observed.challenge = challenge.status;
      }

      // The fail-closed instance accepts the live token until its view is older than the ttl (its
      // last successful read was at most one interval before the stop began), then answers 503.
      await within("the fail-closed instance answers 503 once its view is stale", REVOCATION_TTL_SECONDS * 1000 + 2000, async () => {
        const answer = await profile(closed.url, live.access_token);
        if (answer.status === 503) return true;
        expect(answer.status).toBe(200);
        return false;
      }, 50);
      const staleAfterMs = performance.now() - stopping;
      observed.failClosedAfterStopMs = Math.round(staleAfterMs);
      expect(staleAfterMs).toBeGreaterThanOrEqual(REVOCATION_TTL_SECONDS * 1000 - SYNC_INTERVAL_MS);
      expect(staleAfterMs).toBeLessThanOrEqual(REVOCATION_TTL_SECONDS * 1000 + (stoppedAt - stopping) + 1000);
      expectUnavailable(await profile(closed.url, live.access_token), "a token checked against a stale view (revocation_fail_open false)");
      expect((await profile(closed.url, revoked.access_token)).status).not.toBe(200);
      // Fail open: accepted against the last view, which still knows the revoked one.
      expect((await profile(open.url, live.access_token)).status).toBe(200);
      expect((await profile(open.url, revoked.access_token)).status).toBe(401);
    } finally {
      cluster.start();
    }

    const recoveryMs = await recovered(closed, open, false);
    observed.recoveryMsAfterRestart = Math.round(recoveryMs);
    expect((await profile(closed.url, live.access_token)).status).toBe(200);
    // Revocations work again, across instances.
    expect((await logout(open.url, live.refresh_token)).status).toBe(204);
    await within("the other instance refuses a session ended after the restart", PROPAGATION_MS, async () => (await profile(closed.url, live.access_token)).status === 401);
    for (const instance of [closed, open]) expect((await profile(instance.url, revoked.access_token)).status).toBe(401);
    expect([alive(closed), alive(open)]).toEqual([true, true]);
    report("postgres-outage", { revocationTtlSeconds: REVOCATION_TTL_SECONDS, observed });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { Deployment, PROOF_TIMEOUT_MS, SYNC_INTERVAL_MS } from "./deployment.js";
import { sleep, within } from "./http.js";
import { distribution, report } from "./figures.js";
import { logout, profile, refresh, signIn } from "./wallet.js";

const LOGOUTS = 50;
const REUSES = 20;
const LIMIT_MS = 1000;
const POLL_MS = 10;

/**
 * A random pause before each revocation: without it the loop falls into step with B's reread timer
 * (each round starts just after B's reread caught the last one), and every figure would be the worst case.
 */
const outOfStep = () => sleep(Math.random() * SYNC_INTERVAL_MS);

/**
 * Milliseconds from the moment A answered the revocation to the first 401 of B for `accessToken`,
 * polling B every 10 ms. Times out (fails) past the limit: a token B still accepts then is a failure.
 */
async function refusedByB(b: Instance, accessToken: string): Promise<number> {
  return within(`B refuses a token revoked on A`, LIMIT_MS, async () => (await profile(b.url, accessToken)).status === 401, POLL_MS);
}

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("a revocation on A is refused by B within 1 s", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment();
  let a: Instance;
  let b: Instance;
  const delays = { logout: [] as number[], reuse: [] as number[] };

  beforeAll(async () => {
    [a, b] = (await deployment.start(2)) as [Instance, Instance];
  });
  afterAll(async () => {
    if (delays.logout.length + delays.reuse.length > 0) {
      report("revocation-delay", {
        what: "ms from A's answer to the revocation until B's first 401 for the access token (B polled every 10 ms)",
        logout: delays.logout.length ? distribution(delays.logout) : undefined,
        reuse: delays.reuse.length ? distribution(delays.reuse) : undefined,
        all: distribution([...delays.logout, ...delays.reuse]),
      });
    }
    await deployment.close();
  });

  it("a logout on A is refused by B within 1 s (50 logouts, distribution reported)", async () => {
    for (let i = 0; i < LOGOUTS; i++) {
      const session = await signIn(a.url);
      expect((await profile(b.url, session.access_token)).status, deployment.output()).toBe(200);
      await outOfStep();
      expect((await logout(a.url, session.refresh_token)).status).toBe(204);
      delays.logout.push(await refusedByB(b, session.access_token));
    }
    expect(Math.max(...delays.logout)).toBeLessThan(LIMIT_MS);
  });

  it("a refresh token reused on A ends the session, and B refuses its access token within 1 s", async () => {
    for (let i = 0; i < REUSES; i++) {
      const session = await signIn(a.url);
      const rotated = await refresh(a.url, session.refresh_token);
      expect(rotated.status).toBe(200);
      expect((await profile(b.url, rotated.body.access_token)).status).toBe(200);
      await outOfStep();
      // The first refresh token again: a reuse, so the whole session is revoked.
      expect((await refresh(a.url, session.refresh_token)).status).toBe(401);
      delays.reuse.push(await refusedByB(b, rotated.body.access_token));
      expect((await refresh(b.url, rotated.body.refresh_token)).status).toBe(401);
    }
    expect(Math.max(...delays.reuse)).toBeLessThan(LIMIT_MS);
  });
});

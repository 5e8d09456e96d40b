import { afterAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { Deployment, PROOF_TIMEOUT_MS, SYNC_INTERVAL_MS } from "./deployment.js";
import { call, sleep } from "./http.js";
import { kidOf, profile, signIn } from "./wallet.js";
import { report } from "./figures.js";

interface Jwks {
  readonly keys: readonly { readonly kid: string }[];
}

/** One round of samples: when, how many keys the database holds, and each running instance's published kids (joined). */
interface Sample {
  readonly at: number;
  readonly stored: number;
  readonly sets: readonly string[];
}

// A new key must reach every instance within one reread, plus the time to answer: signals make it
// far less, the margin covers a loaded machine.
const CONVERGENCE_MS = SYNC_INTERVAL_MS + 500;

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("every instance publishes the same JWKS throughout", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment({ env: { SERVER_AUTH__KEY_ROTATION_DAYS: "1" } });
  afterAll(() => deployment.close());

  it("across a rotation, every instance's JWKS converges within sync_interval_ms, and the new key's tokens are accepted by every instance at once", async () => {
    const running: Instance[] = await deployment.start(3);
    const [[oldKid] = []] = deployment.query("SELECT kid FROM pico_auth_signing_keys");

    // Sampling: every 50 ms, the database, then all running instances at once.
    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const targets = [...running];
        const stored = Number(deployment.query("SELECT count(*) FROM pico_auth_signing_keys")[0]?.[0]);
        const sets = await Promise.all(targets.map(async (instance) => (await call<Jwks>(instance.url, "/api/v1/auth/jwks")).body.keys.map((key) => key.kid).join(",")));
        samples.push({ at: performance.now(), stored, sets });
        await sleep(50);
      }
    })();

    try {
      await sleep(300);
      // The key comes due: a fourth instance, booting now, rotates at once; the three running ones
      // learn of the new key from the store (signal or reread), whoever made it.
      deployment.query("UPDATE pico_auth_signing_keys SET created_at = created_at - 2 * 86400");
      const [late] = await deployment.start(1);
      running.push(late as Instance);
      const [, [newKid] = []] = deployment.query("SELECT kid FROM pico_auth_signing_keys ORDER BY seq");
      expect(newKid, deployment.output()).toBeDefined();

      // A token of the new key, straight away: every instance accepts it, converged or not yet (an
      // unknown kid makes the guard reread the keys).
      const tokens = await signIn((late as Instance).url);
      expect(kidOf(tokens.access_token)).toBe(newKid);
      const answers = await Promise.all(running.map((instance) => profile(instance.url, tokens.access_token)));
      expect(answers.map((a) => a.status), deployment.output()).toEqual([200, 200, 200, 200]);

      await sleep(CONVERGENCE_MS + 500);
    } finally {
      sampling = false;
      await sampler;
    }

    const [, [newKid] = []] = deployment.query("SELECT kid FROM pico_auth_signing_keys ORDER BY seq");
    const before = String(oldKid);
    const after = `${newKid},${oldKid}`;
    // Only these two sets ever appear: no instance ever publishes a key of its own, or drops one.
    for (const sample of samples) for (const set of sample.sets) expect([before, after]).toContain(set);
    const committed = samples.find((s) => s.stored === 2);
    const lastMixed = samples.findLast((s) => s.sets.some((set) => set !== after));
    expect(committed, "the new key never reached the database").toBeDefined();
    expect(samples.at(-1)?.sets.every((set) => set === after)).toBe(true);
    // From the first sample that found the new key in the database to the last one where an instance
    // did not publish it yet (plus one sampling step: the true end lies before the next sample).
    const convergenceMs = lastMixed && committed && lastMixed.at >= committed.at ? lastMixed.at - committed.at + 50 : 0;
    report("jwks-convergence", { syncIntervalMs: SYNC_INTERVAL_MS, samples: samples.length, convergenceMs: Math.round(convergenceMs), boundMs: CONVERGENCE_MS });
    expect(convergenceMs).toBeLessThanOrEqual(CONVERGENCE_MS);
  });
});

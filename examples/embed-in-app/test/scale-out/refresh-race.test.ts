import { afterAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { Deployment, PROOF_TIMEOUT_MS } from "./deployment.js";
import { within } from "./http.js";
import { profile, refresh, signIn } from "./wallet.js";
import type { Tokens } from "./wallet.js";

const CONCURRENT = 50;

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("one refresh token, refreshed concurrently on three instances", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment();
  afterAll(() => deployment.close());

  it("50 concurrent refreshes of one refresh token over 3 instances: exactly one 200, the others 401, and the session is revoked on every instance", async () => {
    const instances = (await deployment.start(3)) as [Instance, Instance, Instance];
    const session = await signIn(instances[0].url);

    const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => refresh((instances[i % 3] as Instance).url, session.refresh_token)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((s) => s === 200), `${statuses.join(" ")}\n${deployment.output()}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(CONCURRENT - 1);

    // The 49 others were reuses of a spent token: the session ends, the winner's tokens with it.
    const winner = (answers.find((answer) => answer.status === 200) as { body: Tokens }).body;
    for (const instance of instances) {
      for (const token of [session.access_token, winner.access_token]) {
        await within(`${instance.url} refuses the revoked session's access token`, 1000, async () => (await profile(instance.url, token)).status === 401);
      }
      expect((await refresh(instance.url, winner.refresh_token)).status).toBe(401);
    }
    expect(deployment.query(`SELECT revoked_at IS NOT NULL FROM pico_auth_refresh_families WHERE id = '${session.sid}'`)).toEqual([["t"]]);
  });
});

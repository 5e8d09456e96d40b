import { afterAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { Deployment, PROOF_TIMEOUT_MS } from "./deployment.js";
import { detail } from "./http.js";
import { redeem, signedChallenge } from "./wallet.js";

const ROUNDS = 20;

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("a challenge redeems once, on any instance", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment();
  afterAll(() => deployment.close());

  it("a challenge issued by A redeems exactly once on any instance: sent to B and C at once, one 200; sent again to A, 401", async () => {
    const [a, b, c] = (await deployment.start(3)) as [Instance, Instance, Instance];
    for (let round = 0; round < ROUNDS; round++) {
      const signed = await signedChallenge(a.url);
      const answers = await Promise.all([redeem(b.url, signed), redeem(c.url, signed)]);
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses, `${answers.map((answer) => answer.text).join("\n")}\n${deployment.output()}`).toEqual([200, 401]);
      const replay = await redeem(a.url, signed);
      expect(replay.status).toBe(401);
      expect(detail(replay)).toEqual(expect.any(String));
    }
  });
});

import { afterAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { Deployment, PROOF_TIMEOUT_MS } from "./deployment.js";
import { claims, ed25519Wallet, redeem, signedChallenge } from "./wallet.js";
import { report } from "./figures.js";

const LOOPS = 6;
const KILL_AFTER = 60;
const AFTER_KILL = 60;

interface Acknowledged {
  readonly address: string;
  readonly publicKey: string;
  readonly sid: string;
}

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("kill -9 of one instance under load", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment();
  afterAll(() => deployment.close());

  it("kill -9 of one of 3 instances during a burst of sign-ins: the others keep serving, and every sign-in answered 200 is in PostgreSQL", async () => {
    const instances = (await deployment.start(3)) as [Instance, Instance, Instance];
    const victim = instances[1];
    const acknowledged: Acknowledged[] = [];
    let killedAt: number | undefined;
    let afterKill = 0;
    const survivorFailures: string[] = [];
    let next = 0;

    // Each sign-in asks one instance for the challenge and the next one to redeem it (they share
    // Redis): a sign-in touches two instances, as behind a load balancer.
    async function loop(): Promise<void> {
      while (afterKill < AFTER_KILL && survivorFailures.length === 0) {
        const n = next++;
        const asked = instances[n % 3] as Instance;
        const redeemer = instances[(n + 1) % 3] as Instance;
        const wallet = ed25519Wallet();
        try {
          const answer = await redeem(redeemer.url, await signedChallenge(asked.url, wallet));
          if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.text}`);
          acknowledged.push({ address: wallet.address, publicKey: wallet.publicKeyHex, sid: claims(answer.body.access_token).sid as string });
          if (killedAt !== undefined) afterKill++;
          if (acknowledged.length === KILL_AFTER && killedAt === undefined) {
            killedAt = performance.now();
            await victim.kill();
          }
        } catch (error) {
          // A request the victim had in flight, or sent to it once dead, fails: never acknowledged.
          // Anything else is a survivor failing.
          if (killedAt === undefined || (asked !== victim && redeemer !== victim)) survivorFailures.push(String(error));
        }
      }
    }
    const started = performance.now();
    await Promise.all(Array.from({ length: LOOPS }, loop));
    const seconds = (performance.now() - started) / 1000;

    expect(survivorFailures, deployment.output()).toEqual([]);
    expect(afterKill).toBeGreaterThanOrEqual(AFTER_KILL);
    report("kill-under-load", { instances: 3, loops: LOOPS, acknowledged: acknowledged.length, acknowledgedAfterKill: afterKill, seconds: Math.round(seconds * 10) / 10 });

    // Every acknowledged sign-in, in the database the survivors and any new instance read: the
    // session of its sid, for its address, and the address bound to the key that signed.
    const families = new Map(deployment.query("SELECT id, sub FROM pico_auth_refresh_families").map(([id, sub]) => [id, sub]));
    const bindings = new Map(deployment.query("SELECT address, public_key FROM pico_auth_address_bindings").map(([address, key]) => [address, key?.toLowerCase()]));
    const lost = acknowledged.filter(({ address, publicKey, sid }) => families.get(sid) !== address || bindings.get(address) !== publicKey.toLowerCase());
    expect(lost).toEqual([]);
  });
});

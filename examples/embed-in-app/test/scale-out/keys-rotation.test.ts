import { afterAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import { Deployment, PROOF_TIMEOUT_MS, SYNC_INTERVAL_MS } from "./deployment.js";
import { call, sleep } from "./http.js";
import { kidOf, signIn } from "./wallet.js";

interface Jwks {
  readonly keys: readonly { readonly kid: string }[];
}

const DAY = 86_400;
// key_rotation_days counts whole days: the tests age the stored key instead of waiting for one.
const ROTATION = { SERVER_AUTH__KEY_ROTATION_DAYS: "1" };
const KEYS = "SELECT kid, retired_at IS NULL FROM pico_auth_signing_keys ORDER BY seq";

const kidsOf = async (url: string): Promise<string[]> => (await call<Jwks>(url, "/api/v1/auth/jwks")).body.keys.map((key) => key.kid);

/** The deployment's first key, made by one instance that is stopped again, and its kid. */
async function firstKey(deployment: Deployment): Promise<string> {
  const [first] = await deployment.start(1);
  await first?.stop();
  const [[kid] = []] = deployment.query(KEYS);
  return kid as string;
}

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("exactly one rotation per period", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployments: Deployment[] = [];
  afterAll(async () => {
    for (const deployment of deployments) await deployment.close();
  });
  const deployment = () => {
    const made = new Deployment({ env: ROTATION });
    deployments.push(made);
    return made;
  };

  it("three instances booting at once on a key past key_rotation_days replace it exactly once, and publish the same two keys", async () => {
    const d = deployment();
    const oldKid = await firstKey(d);
    d.query(`UPDATE pico_auth_signing_keys SET created_at = created_at - ${2 * DAY}`);

    const instances = await d.start(3);
    const keys = d.query(KEYS);
    expect(keys, d.output()).toHaveLength(2);
    expect(keys[0]).toEqual([oldKid, "f"]);
    const newKid = keys[1]?.[0] as string;
    expect(keys[1]).toEqual([newKid, "t"]);
    // Newest first, the retired key still published for the access tokens it signed.
    for (const instance of instances) expect(await kidsOf(instance.url)).toEqual([newKid, oldKid]);

    // The period starts again at the new key's creation: nothing more happens while it runs.
    await sleep(4 * SYNC_INTERVAL_MS);
    expect(d.query(KEYS)).toEqual(keys);
    for (const instance of instances) expect(kidOf((await signIn(instance.url)).access_token)).toBe(newKid);
  });

  it("three running instances reaching the rotation date together rotate exactly once", async () => {
    const d = deployment();
    const oldKid = await firstKey(d);
    // Due a few seconds from now: the instances boot on a key that is not yet due, and each computes
    // the same rotation date from the stored creation time.
    const dueInSeconds = 8;
    d.query(`UPDATE pico_auth_signing_keys SET created_at = extract(epoch from now())::bigint - ${DAY} + ${dueInSeconds}`);
    const [[dueAt] = []] = d.query("SELECT (created_at + 86400) * 1000 FROM pico_auth_signing_keys");
    const instances = await d.start(3);
    // The rotation must happen while they run, not at their boot.
    expect(Date.now(), "the instances took too long to boot for this test").toBeLessThan(Number(dueAt) - 1000);
    expect(d.query(KEYS)).toEqual([[oldKid, "t"]]);

    // Every instance is asked for its JWKS every 50 ms across the due date: each one finds the
    // rotation due at the same moment and tries it.
    while (Date.now() < Number(dueAt) + 3 * SYNC_INTERVAL_MS) {
      await Promise.all(instances.map((instance) => kidsOf(instance.url)));
      await sleep(50);
    }
    const keys = d.query(KEYS);
    expect(keys, d.output()).toHaveLength(2);
    expect(keys[0]).toEqual([oldKid, "f"]);
    const newKid = keys[1]?.[0] as string;
    for (const instance of instances) expect(await kidsOf(instance.url)).toEqual([newKid, oldKid]);
    for (const instance of instances) expect(kidOf((await signIn(instance.url)).access_token)).toBe(newKid);
  });
});

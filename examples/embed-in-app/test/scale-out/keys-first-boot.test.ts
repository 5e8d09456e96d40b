import { afterAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import { Deployment, PROOF_TIMEOUT_MS } from "./deployment.js";
import { call } from "./http.js";

interface Jwks {
  readonly keys: readonly { readonly kid: string }[];
}

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("five instances booting at once on an empty PostgreSQL database", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment();
  afterAll(() => deployment.close());

  it("five instances booting at once on an empty database create exactly one signing key, and all five publish it", async () => {
    // Five concurrent boots: each finds no key and tries to add the first one; the store's
    // compare-and-set lets one win and the others adopt its key.
    const instances = await deployment.start(5);
    const sets = await Promise.all(instances.map(async (instance) => (await call<Jwks>(instance.url, "/api/v1/auth/jwks")).body));
    const kids = sets.map((jwks) => jwks.keys.map((key) => key.kid));
    expect(kids[0], deployment.output()).toHaveLength(1);
    for (const each of kids) expect(each).toEqual(kids[0]);
    // The same JWK, not only the same kid.
    for (const jwks of sets) expect(jwks).toEqual(sets[0]);
    expect(deployment.query("SELECT kid, retired_at IS NULL FROM pico_auth_signing_keys")).toEqual([[kids[0]?.[0], "t"]]);
  });
});

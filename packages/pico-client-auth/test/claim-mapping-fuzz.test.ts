/**
 * Property test of the claim mapping through the real guard: correctly signed tokens carrying
 * arbitrary JSON at (and around) the configured role, group and scope paths are answered 200, 401
 * or 403 with a JSON detail, never a 5xx. 401 exactly when a configured path holds something other
 * than a string or an array of strings; otherwise 200 exactly when the requirement is met, as an
 * independent reading of the paths (below) says.
 *
 * The seed is fixed (FUZZ_SEED overrides it) and printed with the run count.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { authApp, authConfig, bearer } from "./app.js";
import { Gates } from "./support/gates.js";
import { defaultClaims, edKey, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_217);
const RUNS = 400;

const ROLE_CLAIMS = ["role", "realm_access.roles", "https://example.com/roles"];
const GROUP_CLAIMS = ["groups"];
const SCOPE_CLAIMS = ["scope", "scp"];

// ---- the oracle: the documented rules, written out independently ----
function at(claims: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path];
  let current: unknown = claims;
  for (const segment of path.split(".")) {
    const isObject = typeof current === "object" && current !== null && !Array.isArray(current);
    if (!isObject || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
const wellTyped = (v: unknown) => v === undefined || typeof v === "string" || (Array.isArray(v) && v.every((i) => typeof i === "string"));
function values(claims: Record<string, unknown>, paths: string[], split: boolean): string[] {
  return paths.flatMap((p) => {
    const v = at(claims, p);
    if (typeof v === "string") return split ? v.split(" ") : [v];
    return Array.isArray(v) ? (v as string[]) : [];
  }).filter((s) => s !== "");
}

// ---- arbitraries ----
const names = fc.constantFrom("admin", "engineering", "/acme/engineering", "orders:read", "orders:*", "openid orders:read", "a b", "", "Admin");
/** Mostly well-typed (so that 200 and 403 are common), sometimes anything JSON can hold. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: names },
  { weight: 5, arbitrary: fc.array(names, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(names, fc.jsonValue({ maxDepth: 1 })), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const pollution = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "roles", "0");
/** Something at `realm_access`: an object that may hold `roles`, or anything else. */
const realmAccess = fc.oneof(fc.dictionary(fc.oneof(fc.constant("roles"), pollution), value, { maxKeys: 3 }), value);
const claimsArb = fc.record(
  {
    role: value,
    realm_access: realmAccess,
    "https://example.com/roles": value,
    "realm_access.roles": value,
    groups: value,
    scope: value,
    scp: value,
    roles: value, // not configured: never checked
  },
  { requiredKeys: [] },
);

let key: ClassicalKey;
let app: ReturnType<typeof authApp>;
beforeAll(async () => {
  key = await edKey("ed-1");
  app = authApp([Gates], staticKeySource([key.jwk]), {
    config: { auth_client: { ...authConfig, role_claims: ROLE_CLAIMS, group_claims: GROUP_CLAIMS, scope_claims: SCOPE_CLAIMS, group_match: "last_segment" } },
  });
  await app.init();
});

describe("fuzz: claim mapping through the guard", () => {
  it(`arbitrary JSON at the claim paths: 200, 401 or 403 as the rules say, never a 5xx (${RUNS} runs, seed ${SEED})`, async () => {
    console.log(`fuzz pico-client-auth claim mapping: ${RUNS} runs, seed ${SEED}`);
    const seen: Record<number, number> = { 200: 0, 401: 0, 403: 0 };
    await fc.assert(
      fc.asyncProperty(claimsArb, fc.constantFrom("me", "role", "group", "scope"), async (extra, route) => {
        // What the server sees: the JSON round trip (a "__proto__" key then is an own property).
        const claims = JSON.parse(JSON.stringify(defaultClaims({ role: undefined, ...extra }))) as Record<string, unknown>;
        const response = await app.request(`/gates/${route}`, bearer(await sign(key, claims)));
        const context = `${route} ${response.status} ${JSON.stringify(claims)}`;
        expect([200, 401, 403], context).toContain(response.status);
        seen[response.status] = (seen[response.status] ?? 0) + 1;
        const body = (await response.json()) as Record<string, unknown>;
        const badPath = [...ROLE_CLAIMS, ...GROUP_CLAIMS, ...SCOPE_CLAIMS].find((p) => !wellTyped(at(claims, p)));
        if (badPath !== undefined) {
          expect(response.status, context).toBe(401);
          expect(body, context).toEqual({ detail: `Invalid token: "${badPath}" claim must be a string or an array of strings` });
          return;
        }
        const roles = values(claims, ROLE_CLAIMS, false);
        const groups = values(claims, GROUP_CLAIMS, false);
        const scopes = values(claims, SCOPE_CLAIMS, true);
        const granted = {
          me: true,
          role: roles.includes("admin"),
          group: groups.some((g) => g === "engineering" || g.endsWith("/engineering")),
          scope: scopes.some((s) => s === "orders:read" || s === "orders:*"),
        }[route];
        expect(response.status, context).toBe(granted ? 200 : 403);
        if (route === "me") expect(body, context).toEqual({ sub: "user-123", roles: [...new Set(roles)], groups: [...new Set(groups)], scopes: [...new Set(scopes)] });
        if (!granted) expect(body, context).toMatchObject({ detail: expect.any(String) });
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Not vacuous: every outcome occurred (counted over the shrinking runs too).
    console.log(`claim mapping outcomes: ${JSON.stringify(seen)}`);
    expect(Object.values(seen).every((n) => n >= RUNS / 20), JSON.stringify(seen)).toBe(true);
  });
});

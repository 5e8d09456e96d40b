/**
 * TokenVerifier's two profiles: agent tokens (verifyAgent/checkAgent) go through the same keys,
 * claim rules and revocation check as access tokens, and neither kind passes for the other.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AuthClientError } from "../src/errors.js";
import { NO_REVOCATION_CHECK } from "../src/revocation/default-revocation-check.js";
import type { RevocationCheck, RevocationStatus } from "../src/revocation/revocation-check.js";
import type { AuthClientSettings } from "../src/settings.js";
import { TokenVerifier } from "../src/token/token-verifier.js";
import { agentClaims, defaultClaims, rsaKey, settings, sign, signAgent } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

const NOW = 1_800_000_000;
let key: ClassicalKey, impostor: ClassicalKey;
beforeAll(async () => {
  [key, impostor] = await Promise.all([rsaKey("k1"), rsaKey("k1")]);
});

const agent = (overrides: Record<string, unknown> = {}) => agentClaims({ iat: NOW, exp: NOW + 300, jti: "agent-jti", ...overrides });
const access = (overrides: Record<string, unknown> = {}) => defaultClaims({ iat: NOW, exp: NOW + 3600, jti: "access-jti", ...overrides });

/** The key set at hand (synchronous, as a fetched one is): a cached token is then answered without a promise. */
function verifierFor(overrides: Partial<AuthClientSettings> = {}, revocation: RevocationCheck = NO_REVOCATION_CHECK) {
  const keySet = { keys: [key.jwk], version: 1 };
  const verifier = new TokenVerifier(settings(overrides), { getKeySet: () => keySet }, revocation);
  verifier.now = () => NOW;
  return verifier;
}

/** A revocation check answering synchronously from a set the test changes. */
function denylist(): RevocationCheck & { revoked: Set<string> } {
  const revoked = new Set<string>();
  return { enabled: true, revoked, status: (jti): RevocationStatus => (revoked.has(jti) ? "revoked" : "not-revoked") };
}

/** How a verification settles: the claims' sub, or `[code, status, message]`. */
async function outcome(run: () => unknown): Promise<string | [string, number, string]> {
  try {
    return ((await run()) as { sub: string }).sub;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthClientError);
    const { code, status, message } = error as AuthClientError;
    return [code, status, message];
  }
}
const invalid = (message: string): [string, number, string] => ["TOKEN_INVALID", 401, message];
const AGENT_TYP = 'Invalid token: an agent token needs the header typ "agent+jwt"';
const AGENT_AS_ACCESS = "Invalid token: an agent token is not an access token (it goes in X-Agent-Authorization)";
const BAD_ACT = 'Invalid token: an agent token needs an "act" claim: an object with a non-empty string "sub" (at every level)';

describe("TokenVerifier: agent tokens", () => {
  it("accepts an agent token: typ agent+jwt (any case, application/ prefix allowed), audience agent:<audience>, an act claim", async () => {
    const verifier = verifierFor();
    for (const typ of ["agent+jwt", "Agent+JWT", "application/agent+jwt"]) {
      const claims = await verifier.verifyAgent(await signAgent(key, agent(), { typ }));
      expect(claims.act, typ).toEqual({ sub: "agent-7" });
      expect(claims.sub).toBe("user-123");
    }
  });

  it("refuses a forged agent token (another key under the same kid) and an expired one", async () => {
    const verifier = verifierFor();
    expect(await outcome(async () => verifier.verifyAgent(await signAgent(impostor, agent())))).toEqual(invalid("Invalid token: signature verification failed"));
    expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent({ exp: NOW - 60 }))))).toEqual(["TOKEN_EXPIRED", 401, "Token has expired"]);
  });

  it("refuses an agent token for the access audience, and honours auth_client.agent_audience", async () => {
    expect(await outcome(async () => verifierFor().verifyAgent(await signAgent(key, agent({ aud: "my-api" }))))).toEqual(invalid("Invalid token: audience mismatch"));
    const custom = verifierFor({ agentAudience: "https://agents.example.com" });
    expect(await outcome(async () => custom.verifyAgent(await signAgent(key, agent())))).toEqual(invalid("Invalid token: audience mismatch"));
    expect(await outcome(async () => custom.verifyAgent(await signAgent(key, agent({ aud: ["other", "https://agents.example.com"] }))))).toBe("user-123");
  });

  it("refuses any other header typ, or none, as an agent token", async () => {
    const verifier = verifierFor();
    for (const typ of ["JWT", "at+jwt", "application/jwt", "agent+jwt+x", 7, undefined]) {
      expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent(), { typ }))), String(typ)).toEqual(invalid(AGENT_TYP));
    }
  });

  it("an access token is refused as an agent token, and an agent token as an access token (typ and audience each)", async () => {
    const verifier = verifierFor();
    const accessToken = await sign(key, access());
    expect(await outcome(() => verifier.verify(accessToken))).toBe("user-123");
    expect(await outcome(() => verifier.verifyAgent(accessToken))).toEqual(invalid(AGENT_TYP));
    // The right typ alone is not enough: the access audience is not the agent audience.
    expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, access())))).toEqual(invalid("Invalid token: audience mismatch"));

    const agentToken = await signAgent(key, agent());
    expect(await outcome(() => verifier.verifyAgent(agentToken))).toBe("user-123");
    expect(await outcome(() => verifier.verify(agentToken))).toEqual(invalid(AGENT_AS_ACCESS));
    // An agent typ with the access audience, or an access typ with both audiences: refused too.
    expect(await outcome(async () => verifier.verify(await signAgent(key, access())))).toEqual(invalid(AGENT_AS_ACCESS));
    expect(await outcome(async () => verifier.verify(await sign(key, access({ aud: ["my-api", "agent:my-api"] }))))).toEqual(invalid(AGENT_AS_ACCESS));
    expect(await outcome(async () => verifier.verify(await sign(key, agent())))).toEqual(invalid("Invalid token: audience mismatch"));
  });

  it("a new token is verified without a promise while the keys are at hand (RS256); errors then throw", async () => {
    const verifier = verifierFor();
    const accessToken = await sign(key, access());
    const claims = verifier.check(accessToken);
    expect(claims).not.toBeInstanceOf(Promise);
    expect(claims).toMatchObject({ sub: "user-123", jti: "access-jti" });
    expect(verifier.checkAgent(await signAgent(key, agent()))).not.toBeInstanceOf(Promise);
    const forged = await sign(impostor, access({ jti: "other" }));
    expect(() => verifier.check(forged)).toThrow(expect.objectContaining({ code: "TOKEN_INVALID", message: "Invalid token: signature verification failed" }));
    expect(() => verifier.check("not.a-token")).toThrow(expect.objectContaining({ code: "TOKEN_INVALID", status: 401 }));
    // A key set still being fetched: a promise, with the same answer.
    const fetching = new TokenVerifier(settings(), { getKeySet: async () => ({ keys: [key.jwk], version: 1 }) }, NO_REVOCATION_CHECK);
    fetching.now = () => NOW;
    const later = fetching.check(await sign(key, access({ jti: "later" })));
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toMatchObject({ sub: "user-123", jti: "later" });
  });

  it("a token verified as one kind is never a cache hit for the other", async () => {
    const verifier = verifierFor();
    const agentToken = await signAgent(key, agent());
    await verifier.verifyAgent(agentToken);
    expect(verifier.checkAgent(agentToken)).not.toBeInstanceOf(Promise); // cached
    expect(await outcome(() => verifier.check(agentToken))).toEqual(invalid(AGENT_AS_ACCESS));
    const accessToken = await sign(key, access());
    await verifier.verify(accessToken);
    expect(verifier.check(accessToken)).not.toBeInstanceOf(Promise);
    expect(await outcome(() => verifier.checkAgent(accessToken))).toEqual(invalid(AGENT_TYP));
  });

  it("needs an act claim: an object with a non-empty string sub, at every level of a chain", async () => {
    const verifier = verifierFor();
    const acts = [undefined, "agent-7", ["agent-7"], null, {}, { sub: "" }, { sub: 7 }, { sub: "a", act: "b" }, { sub: "a", act: { sub: "b", act: {} } }];
    for (const act of acts) {
      expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent({ act })))), JSON.stringify(act)).toEqual(invalid(BAD_ACT));
    }
    const chained = await verifier.verifyAgent(await signAgent(key, agent({ act: { sub: "a", act: { sub: "b", act: { sub: "c" } } } })));
    expect(chained.act.act?.act?.sub).toBe("c");
  });

  it("sid, task_id and spend_limit are strings when present; scope a string or an array of strings", async () => {
    const verifier = verifierFor();
    for (const name of ["sid", "task_id", "spend_limit"]) {
      expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent({ [name]: 12.5 }))))).toEqual(invalid(`Invalid token: "${name}" claim must be a string`));
    }
    const full = await verifier.verifyAgent(await signAgent(key, agent({ task_id: "task-9", spend_limit: "12.50" })));
    expect([full.task_id, full.spend_limit, full.sid]).toEqual(["task-9", "12.50", "session-1"]);
    expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent({ scope: { a: 1 } }))))).toEqual([
      "TOKEN_INVALID",
      401,
      expect.stringMatching(/^Invalid token: "scope" claim must be a string/),
    ]);
  });

  it("checks revocation like an access token's, on the first use and on every cached use after it", async () => {
    const revocation = denylist();
    const verifier = verifierFor({}, revocation);
    const token = await signAgent(key, agent({ jti: "agent-1" }));
    expect(await outcome(() => verifier.verifyAgent(token))).toBe("user-123");
    const cached = verifier.checkAgent(token);
    expect(cached).not.toBeInstanceOf(Promise); // a cache hit: no signature check...
    revocation.revoked.add("agent-1");
    expect(() => verifier.checkAgent(token)).toThrow(expect.objectContaining({ code: "TOKEN_REVOKED", status: 401 })); // ...but the revocation check
    // Revoked before its first use, too; and a token that cannot be revoked (no jti) is refused.
    revocation.revoked.add("agent-2");
    expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent({ jti: "agent-2" }))))).toEqual(["TOKEN_REVOKED", 401, "Token revoked"]);
    expect(await outcome(async () => verifier.verifyAgent(await signAgent(key, agent({ jti: undefined }))))).toEqual(invalid('Invalid token: "jti" claim missing'));
  });

  it("clearCache() drops cached agent tokens too", async () => {
    let keys = [key.jwk];
    const verifier = new TokenVerifier(settings(), { getKeySet: () => ({ keys, version: 1 }) }, NO_REVOCATION_CHECK);
    verifier.now = () => NOW;
    const token = await signAgent(key, agent());
    await verifier.verifyAgent(token);
    // The same key set version with another key: a cached token still passes, one verified again fails.
    keys = [impostor.jwk];
    expect(verifier.checkAgent(token)).toMatchObject({ sub: "user-123" });
    verifier.clearCache();
    expect(await outcome(() => verifier.checkAgent(token))).toEqual(invalid("Invalid token: signature verification failed"));
  });
});

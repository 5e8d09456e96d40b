import { invalidToken, tokenExpired } from "../errors.js";
import { claimMappingOf } from "./claim-paths.js";
import type { ClaimMappingSettings } from "./claim-paths.js";

/**
 * The payload of a verified access token. Standard claims are typed; any other is reachable by name,
 * as `unknown`: `role`, `groups`, `scope` and the like are checked only at the paths configured in
 * auth_client.role_claims/group_claims/scope_claims, so read them through SecurityContext.roles/groups/scopes.
 */
export interface TokenClaims {
  readonly sub: string;
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  /** Always present in verified claims; optional in the type so that hand-made claims (tests, stubs) need not carry it. */
  readonly iat?: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly email?: string;
  readonly [claim: string]: unknown;
}

export interface ClaimRules extends ClaimMappingSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds: number;
  /** Longest a token may still be valid for when it is checked: `exp - now` at most this (plus the leeway). */
  readonly maxTokenLifetimeSeconds: number;
}

const STRING_CLAIMS = ["sub", "jti", "email"] as const;

/**
 * One set of claim rules for every algorithm (classical and ML-DSA alike): `exp` required and expired
 * when `now >= exp + leeway`, and at most max_token_lifetime_seconds away (a token valid for years,
 * minted with a stolen key or by a misconfigured issuer, is refused); `iat` required, a finite number,
 * not after `now + leeway`; `nbf` honoured with the same leeway; exact `iss`; `aud` equal or
 * containing ours; refresh tokens refused; `sub`, `jti`, `email` strings; at each configured role,
 * group and scope path a string or an array of strings (claims elsewhere are not ours to judge).
 */
export function checkClaims(payload: unknown, rules: ClaimRules, nowSeconds: number): TokenClaims {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw invalidToken("Invalid token: malformed payload");
  const claims = payload as Record<string, unknown>;
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) throw invalidToken('Invalid token: "exp" claim missing or not a number');
  if (nowSeconds >= claims.exp + rules.leewaySeconds) throw tokenExpired();
  if (claims.exp - nowSeconds > rules.maxTokenLifetimeSeconds + rules.leewaySeconds) {
    throw invalidToken(`Invalid token: "exp" is more than auth_client.max_token_lifetime_seconds (${rules.maxTokenLifetimeSeconds}) away`);
  }
  if (typeof claims.iat !== "number" || !Number.isFinite(claims.iat)) throw invalidToken('Invalid token: "iat" claim missing or not a number');
  if (claims.iat > nowSeconds + rules.leewaySeconds) throw invalidToken('Invalid token: "iat" is in the future');
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== "number" || !Number.isFinite(claims.nbf)) throw invalidToken('Invalid token: "nbf" claim must be a number');
    if (nowSeconds + rules.leewaySeconds < claims.nbf) throw invalidToken("Invalid token: token is not yet valid (nbf)");
  }
  if (claims.iss !== rules.issuer) throw invalidToken("Invalid token: issuer mismatch");
  const aud = claims.aud;
  const audOk = aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience));
  if (!audOk) throw invalidToken("Invalid token: audience mismatch");
  if (claims.type !== undefined && claims.type !== "access") throw invalidToken(`Invalid token: ${describeType(claims.type)} tokens are not accepted here`);
  if (typeof claims.sub !== "string" || claims.sub === "") throw invalidToken('Invalid token: "sub" claim missing');
  for (const name of STRING_CLAIMS) {
    if (claims[name] !== undefined && typeof claims[name] !== "string") throw invalidToken(`Invalid token: "${name}" claim must be a string`);
  }
  // Deep: a verified token's claims are cached and shared by every request that presents it.
  const frozen = deepFreeze(claims) as TokenClaims;
  // Reads (and type-checks) the configured paths now, so a bad shape is a 401 before the token is
  // cached, and the guard later finds roles, groups and scopes remembered for this very object.
  claimMappingOf(rules).read(frozen);
  return frozen;
}

/**
 * Iterative, not recursive: a payload nested a few thousand levels deep (JSON.parse takes any depth)
 * would otherwise overflow the stack, and a RangeError here would be a 500 instead of a 401.
 */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next !== null && typeof next === "object" && !Object.isFrozen(next)) {
      Object.freeze(next);
      for (const child of Object.values(next)) pending.push(child);
    }
  }
  return value;
}

function describeType(type: unknown): string {
  return typeof type === "string" && /^[\w-]{1,20}$/.test(type) ? type : "non-access";
}

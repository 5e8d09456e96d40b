import { invalidToken, tokenExpired } from "../errors.js";

/** The payload of a verified access token. Standard claims are typed; any other is reachable by name. */
export interface TokenClaims {
  readonly sub: string;
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  /** Always present in verified claims; optional in the type so that hand-made claims (tests, stubs) need not carry it. */
  readonly iat?: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly role?: string;
  readonly roles?: readonly string[];
  readonly email?: string;
  readonly groups?: readonly string[];
  readonly scope?: string;
  readonly scopes?: readonly string[] | string;
  readonly [claim: string]: unknown;
}

export interface ClaimRules {
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds: number;
  /** Longest a token may still be valid for when it is checked: `exp - now` at most this (plus the leeway). */
  readonly maxTokenLifetimeSeconds: number;
}

const STRING_CLAIMS = ["sub", "jti", "role", "email", "scope"] as const;
const STRING_LIST_CLAIMS = ["roles", "groups"] as const;

/**
 * One set of claim rules for every algorithm (classical and ML-DSA alike): `exp` required and expired
 * when `now >= exp + leeway`, and at most max_token_lifetime_seconds away (a token valid for years,
 * minted with a stolen key or by a misconfigured issuer, is refused); `iat` required, a finite number,
 * not after `now + leeway`; `nbf` honoured with the same leeway; exact `iss`; `aud` equal or
 * containing ours; refresh tokens refused; claim types strict (a string `groups` is not a list of letters).
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
  for (const name of STRING_LIST_CLAIMS) {
    if (claims[name] !== undefined && !isStringList(claims[name])) throw invalidToken(`Invalid token: "${name}" claim must be an array of strings`);
  }
  if (claims.scopes !== undefined && typeof claims.scopes !== "string" && !isStringList(claims.scopes)) {
    throw invalidToken('Invalid token: "scopes" claim must be a string or an array of strings');
  }
  // Deep: a verified token's claims are cached and shared by every request that presents it.
  return deepFreeze(claims) as TokenClaims;
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

/** Roles from `role` and `roles`. */
export function rolesOf(claims: TokenClaims): string[] {
  return [...new Set([...(claims.role ? [claims.role] : []), ...(claims.roles ?? [])])];
}

const scopeCache = new WeakMap<TokenClaims, readonly string[]>();

/**
 * Granted scopes: `scope` (OAuth 2, space-separated) and `scopes` (array, or space-separated string).
 * Frozen and remembered per (frozen, cached) claims object, so a cached token pays for this once.
 */
export function scopesOf(claims: TokenClaims): readonly string[] {
  let scopes = scopeCache.get(claims);
  if (!scopes) {
    const split = (value: string) => value.split(" ").filter((s) => s !== "");
    const fromScopes = typeof claims.scopes === "string" ? split(claims.scopes) : [...(claims.scopes ?? [])];
    scopes = Object.freeze([...new Set([...split(claims.scope ?? ""), ...fromScopes])]);
    scopeCache.set(claims, scopes);
  }
  return scopes;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function describeType(type: unknown): string {
  return typeof type === "string" && /^[\w-]{1,20}$/.test(type) ? type : "non-access";
}

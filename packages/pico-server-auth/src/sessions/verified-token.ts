import type { SigningKeys } from "../keys/signing-keys.js";

/** The claims every token of ours that belongs to a session carries, verified. */
export interface SessionTokenClaims {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly role: unknown;
}

/**
 * Header `typ`s of our access tokens: RFC 9068's, and plain JWT (`access_token_typ: JWT`, and every
 * access token before RFC 9068). A JWT refresh token of an earlier version is `typ: JWT` with the
 * private claim `type: "refresh"`, which no access token has.
 */
const ACCESS_TYPES = new Set(["at+jwt", "JWT"]);

/**
 * The claims of `token` if it is one of our unexpired JWTs of `kind` (an access token, or a JWT refresh
 * token of an earlier version): signed by a kept key, our `iss` and `aud`, string `sub`, `sid` and `jti`.
 */
export function verifiedToken(keys: SigningKeys, ours: { readonly issuer: string; readonly audience: string }, token: string, kind: "access" | "refresh", now: number): SessionTokenClaims | undefined {
  const jws = keys.verified(token);
  if (!jws) return undefined;
  const { header, payload } = jws;
  const kindFits = kind === "refresh" ? header.typ === "JWT" && payload.type === "refresh" : typeof header.typ === "string" && ACCESS_TYPES.has(header.typ) && payload.type === undefined;
  return kindFits ? sessionClaims(payload, ours.issuer, ours.audience, now) : undefined;
}

/** The session claims of a payload signed by one of our keys, if it is ours (`iss`, `aud` holding `audience`), unexpired, with string `sub`, `sid` and `jti`. */
export function sessionClaims(payload: Readonly<Record<string, unknown>>, issuer: string, audience: string, now: number): SessionTokenClaims | undefined {
  const { sub, sid, jti, iss, aud, exp } = payload;
  const audiences = Array.isArray(aud) ? aud : [aud];
  const valid = typeof sub === "string" && typeof sid === "string" && typeof jti === "string" && iss === issuer && audiences.includes(audience) && typeof exp === "number" && exp > now;
  return valid ? { sub, sid, jti, role: payload.role } : undefined;
}

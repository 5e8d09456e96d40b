import { createToken } from "pico-ioc";

/** Everything descended from one sign-in or login: refreshing keeps the family, logout ends it. */
export interface RefreshFamily {
  readonly id: string;
  readonly sub: string;
  readonly role: string;
  /** Extra access-token claims of the sign-in (`algorithm`, `wallet_address`), repeated on refresh. */
  readonly claims: Readonly<Record<string, unknown>>;
  /**
   * SHA-256 (hex) of the one refresh token of the family that may still be redeemed. Refresh tokens
   * are opaque; the store never sees one, only its hash (a JWT refresh token of an earlier version is
   * kept as `"jti:" + its jti`).
   */
  readonly currentHash: string;
  /** When that refresh token expires. */
  readonly expiresAt: number;
  /** When the session began (its sign-in or login): its absolute lifetime counts from here. */
  readonly startedAt: number;
  /** What the session's credential was when it began (an admin session: the admin account's generation), checked at refresh. */
  readonly stamp?: string;
  readonly revokedAt?: number;
}

/** An access token issued for a family: what the revocation feed lists once the family is revoked. */
export interface IssuedAccessToken {
  readonly jti: string;
  readonly exp: number;
}

/** The next refresh token of a family, by its hash. */
export interface NextRefresh {
  readonly hash: string;
  readonly expiresAt: number;
}

export type RedeemOutcome =
  /** The token was its family's current one: `next` is current now. */
  | { readonly outcome: "rotated"; readonly family: RefreshFamily }
  /** The token was an earlier one of the family, already redeemed: the family is revoked now (same step). */
  | { readonly outcome: "reused" }
  | { readonly outcome: "revoked" }
  /** The token was current, but expired at `now`: nothing changed. */
  | { readonly outcome: "expired" }
  | { readonly outcome: "unknown" };

/**
 * Port: sessions (refresh families), the access tokens issued for them, and whether they are revoked.
 * Each method is one atomic step (a transaction, a script): 50 concurrent redeems of one token on any
 * number of instances give one "rotated". Every step that revokes a family also records its unexpired
 * access tokens in the revocation feed (REVOCATION_STORE) in that same step, so no instance can see a
 * revoked session whose tokens the feed lacks. Replace with `@component({ provides: SESSION_STORE })`;
 * every implementation passes `sessionStoreContract` of `pico-server-auth/testing`.
 */
export interface SessionStore {
  /**
   * Creates a family with its first access token; its `currentHash` is remembered as one of its
   * tokens. An existing id fails (replacing could un-revoke it).
   */
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void>;
  /**
   * Redeems the refresh token whose hash is `tokenHash`: if it is its family's current one and the
   * family is not revoked, nor the token expired at `now` ("expired"), `next` becomes current and
   * `access` is recorded ("rotated"); an earlier token of the family revokes the family ("reused");
   * a hash no family ever had is "unknown", and changes nothing (so a made-up token cannot revoke
   * anybody's session).
   */
  redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome>;
  /**
   * Records `access` as a token of the family (an agent token issued from one of its access tokens),
   * so that revoking the family lists it in the revocation feed. False, recording nothing, when the
   * family is unknown or revoked: then no token may be issued. One step with revocation: a revocation
   * running at the same time either comes first (false) or lists `access`.
   */
  recordAccess(familyId: string, access: IssuedAccessToken): Promise<boolean>;
  /** The family that issued the refresh token whose hash is `tokenHash` (current or already redeemed). */
  familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined>;
  /** Revokes the family; false when there is no such family. Revoking twice keeps the first time. */
  revokeFamily(familyId: string, now: number): Promise<boolean>;
  /**
   * Revokes every family of `sub` (but those whose stamp is `keepStamp`, when given: the sessions of
   * the key an address just moved to); returns how many were not revoked before.
   */
  revokeSubject(sub: string, now: number, keepStamp?: string): Promise<number>;
  family(familyId: string): Promise<RefreshFamily | undefined>;
  /** Forgets what can no longer matter at `now`: expired access tokens, families whose refresh token expired, expired feed entries. */
  prune(now: number): Promise<void>;
}

export const SESSION_STORE = createToken<SessionStore>("SessionStore");

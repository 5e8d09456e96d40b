import { createToken } from "pico-ioc";
import type { AddressBinding } from "../bindings/address-bindings.js";

/** A token signing key as kept in the store. Times, here and below, are whole seconds since the epoch. */
export interface StoredSigningKey {
  readonly kid: string;
  /** RS256, ES256, EdDSA or ML-DSA-65. */
  readonly alg: string;
  /** The private key (a private JWK, or an ML-DSA seed), serialised by SigningKeys; opaque to the store. */
  readonly material: string;
  readonly createdAt: number;
  /** When a newer key took over signing; the key still verifies what it signed until those tokens expire. */
  readonly retiredAt?: number;
}

/** Everything descended from one sign-in or login: refreshing keeps the family, logout ends it. */
export interface RefreshFamily {
  readonly id: string;
  readonly sub: string;
  readonly role: string;
  /** Extra access-token claims of the sign-in (`algorithm`, `wallet_address`), repeated on refresh. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The one refresh token of the family that may still be redeemed. */
  readonly currentJti: string;
  /** `exp` of that refresh token. */
  readonly expiresAt: number;
  readonly revokedAt?: number;
}

/** An access token issued for a family: what the revocation feed lists once the family is revoked. */
export interface IssuedAccessToken {
  readonly jti: string;
  readonly exp: number;
}

export type RedeemOutcome =
  /** `jti` was current: `next` is current now. */
  | { readonly outcome: "rotated"; readonly family: RefreshFamily }
  /** `jti` belongs to the family but was already redeemed: the family is revoked now (same transaction). */
  | { readonly outcome: "reused" }
  | { readonly outcome: "revoked" }
  | { readonly outcome: "unknown" };

/**
 * The auth server's durable state: signing keys, address bindings, refresh families and the access
 * tokens issued for them. Every method is one atomic step (one transaction in SQLite), so concurrent
 * callers in one process never interleave inside it. Replace with `@component({ provides: AUTH_STORE })`.
 */
export interface AuthStore {
  /** Every kept signing key, oldest first. */
  signingKeys(): Promise<StoredSigningKey[]>;
  /** Adds `key` and, in the same step, retires every other unretired key at `key.createdAt`; an existing kid fails. */
  addSigningKey(key: StoredSigningKey): Promise<void>;
  deleteSigningKey(kid: string): Promise<void>;

  /** Binds `address` unless it is bound already; returns the binding that holds afterwards (first key wins). */
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding>;

  /** Creates a family with its first access token; an existing id fails (replacing could un-revoke it). */
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void>;
  /**
   * Redeems refresh token `jti` of family `familyId`: if it is the family's current one and the
   * family is not revoked, `next` becomes current and `access` is recorded ("rotated"); any other jti
   * is taken for an earlier one of the family (the caller verified the token's signature), and the
   * family is revoked ("reused").
   */
  redeemRefresh(familyId: string, jti: string, next: { readonly jti: string; readonly expiresAt: number }, access: IssuedAccessToken, now: number): Promise<RedeemOutcome>;
  /** Revokes the family; false when there is no such family. Revoking twice keeps the first time. */
  revokeFamily(familyId: string, now: number): Promise<boolean>;
  family(familyId: string): Promise<RefreshFamily | undefined>;

  /** Access tokens of revoked families that have not expired at `now`. */
  revokedAccessTokens(now: number): Promise<IssuedAccessToken[]>;
  /** Forgets what can no longer matter at `now`: expired access tokens, families whose refresh token expired. */
  prune(now: number): Promise<void>;
  close(): Promise<void>;
}

export const AUTH_STORE = createToken<AuthStore>("AuthStore");

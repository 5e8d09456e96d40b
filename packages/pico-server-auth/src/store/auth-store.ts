import { createToken } from "pico-ioc";

/** The key an address is bound to: who may sign in as that address. */
export interface AddressBinding {
  readonly algorithm: string;
  /** Hex; for secp256k1 the uncompressed point since bindings are canonical (older rows may be compressed). */
  readonly publicKey: string;
}

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

/** The admin account as the store remembers it: its password hash and how often that hash changed. */
export interface AdminCredential {
  readonly hash: string;
  readonly generation: number;
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
 * The auth server's durable state: signing keys, address bindings, refresh families and the access
 * tokens issued for them, the admin credential. Every method is one atomic step (one transaction in SQLite), so concurrent
 * callers in one process never interleave inside it. Replace with `@component({ provides: AUTH_STORE })`.
 */
export interface AuthStore {
  /** Every kept signing key, oldest first. */
  signingKeys(): Promise<StoredSigningKey[]>;
  /** Adds `key` and, in the same step, retires every other unretired key at `key.createdAt`; an existing kid fails. */
  addSigningKey(key: StoredSigningKey): Promise<void>;
  deleteSigningKey(kid: string): Promise<void>;

  /** The binding of exactly `address` (no case folding), if any. */
  binding(address: string): Promise<AddressBinding | undefined>;
  /** Binds `address` unless it is bound already; returns the binding that holds afterwards (first key wins). */
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding>;
  /** Removes the binding of `address`; false when it had none. */
  unbindAddress(address: string): Promise<boolean>;
  /** Rebinds `address` from `from` to `to` if it is bound to `from` now (compare-and-set); false otherwise. */
  moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean>;

  /**
   * Creates a family with its first access token; its `currentHash` is remembered as one of its
   * tokens. An existing id fails (replacing could un-revoke it).
   */
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void>;
  /**
   * Redeems the refresh token whose hash is `tokenHash`: if it is its family's current one and the
   * family is not revoked, nor the token expired at `now` ("expired"), `next` becomes current and
   * `access` is recorded ("rotated"); an earlier
   * token of the family revokes the family ("reused"); a hash no family ever had is "unknown", and
   * changes nothing (so a made-up token cannot revoke anybody's session).
   */
  redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome>;
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

  /** Access tokens of revoked families that have not expired at `now`. */
  revokedAccessTokens(now: number): Promise<IssuedAccessToken[]>;
  /** Forgets what can no longer matter at `now`: expired access tokens, families whose refresh token expired. */
  prune(now: number): Promise<void>;

  /** The admin account's credential as last saved, if ever. */
  adminCredential(): Promise<AdminCredential | undefined>;
  /** Saves the admin's password hash: the same hash as stored keeps its generation, another one is generation + 1 (the first is 1). Returns the generation. */
  saveAdminCredential(hash: string): Promise<number>;

  /**
   * The kid of the first signing key this store ever held (kept after that key is deleted): what
   * identifies the store, so that a store that lost its data can be told from a new one.
   */
  firstSigningKey(): Promise<string | undefined>;
  close(): Promise<void>;
}

export const AUTH_STORE = createToken<AuthStore>("AuthStore");

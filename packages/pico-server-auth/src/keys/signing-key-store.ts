import { createToken } from "pico-ioc";

/** A token signing key as kept in the store. Times, here and in every port, are whole seconds since the epoch. */
export interface StoredSigningKey {
  readonly kid: string;
  /** RS256, ES256, EdDSA or ML-DSA-65. */
  readonly alg: string;
  /**
   * The private key (a private JWK, or an ML-DSA seed), sealed by KEY_ENCRYPTION before it reaches the
   * store (`pico-kek:v1:...`; a plaintext one written by an earlier version is still read); opaque to the store.
   */
  readonly material: string;
  readonly createdAt: number;
  /** When a newer key took over signing; the key still verifies what it signed until those tokens expire. */
  readonly retiredAt?: number;
}

/**
 * Port: the signing keys, shared by every instance. Each method is one atomic step.
 * Replace with `@component({ provides: SIGNING_KEY_STORE })`; every implementation passes
 * `signingKeyStoreContract` of `pico-server-auth/testing`.
 */
export interface SigningKeyStore {
  /** Every kept signing key, oldest first. */
  signingKeys(): Promise<StoredSigningKey[]>;
  /**
   * Adds `key` as the one that signs if the key that signs now is still `expectedActive` (its kid;
   * undefined: there is none), retiring every other unretired key at `key.createdAt`, in one atomic
   * step. Returns false, adding nothing, when another instance changed the signing key first: the
   * caller rereads and adopts that one (so N instances booting on an empty store create one key, and
   * one rotation happens per period). An existing kid fails.
   */
  addSigningKey(key: StoredSigningKey, expectedActive: string | undefined): Promise<boolean>;
  /** Deletes the key `kid`; a kid not kept is no error. */
  deleteSigningKey(kid: string): Promise<void>;
  /**
   * The kid of the first signing key this store ever held (kept after that key is deleted): what
   * identifies the store, so that a store that lost its data can be told from a new one.
   */
  firstSigningKey(): Promise<string | undefined>;
}

export const SIGNING_KEY_STORE = createToken<SigningKeyStore>("SigningKeyStore");

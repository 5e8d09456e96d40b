import { createToken } from "pico-ioc";

/**
 * Port: seals private signing-key material before it reaches any store, and opens it after. The
 * default uses `server_auth.key_encryption_key` (AES-256-GCM); a KMS can take this role by providing
 * KEY_ENCRYPTION. Sealed text names the key that sealed it, so keys can be rotated.
 */
export interface KeyEncryption {
  /** Whether material is sealed at all (false: no key encryption key is configured; boot warns). */
  readonly enabled: boolean;
  seal(material: string): Promise<string>;
  /** Opens sealed material; plaintext material of an earlier version is returned as it is. Fails with a clear error for a wrong key. */
  open(stored: string): Promise<string>;
}

export const KEY_ENCRYPTION = createToken<KeyEncryption>("KeyEncryption");

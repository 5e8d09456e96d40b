import { component } from "pico-ioc";
import { ServerAuthSettings } from "../settings.js";
import { KEY_ENCRYPTION } from "./key-encryption.js";
import type { KeyEncryption } from "./key-encryption.js";
import { keyEncryptionKeys } from "./key-encryption-key.js";
import type { KeyEncryptionKeys } from "./key-encryption-key.js";
import { openMaterial, sealMaterial, sealedBy } from "./sealed-material.js";

/**
 * The default KEY_ENCRYPTION: AES-256-GCM (node:crypto) under `server_auth.key_encryption_key` (or
 * key_encryption_key_file); `key_encryption_key_previous` still opens what earlier keys sealed. Without a
 * key, material is stored as it is (KeyEncryptionNotice warns at boot). A KMS replaces it with
 * `@component({ provides: KEY_ENCRYPTION })`.
 */
@component({ provides: KEY_ENCRYPTION, fallback: true })
export class AesKeyEncryption implements KeyEncryption {
  readonly enabled: boolean;
  readonly #keys: KeyEncryptionKeys;

  constructor(settings: ServerAuthSettings) {
    this.#keys = keyEncryptionKeys(settings);
    this.enabled = this.#keys.current !== undefined;
  }

  /** The id of the key that seals (undefined: none is configured). */
  get keyId(): string | undefined {
    return this.#keys.current?.id;
  }

  /** The id of the key that sealed `stored`: undefined for plaintext. */
  sealedBy(stored: string): string | undefined {
    return sealedBy(stored);
  }

  async seal(material: string): Promise<string> {
    return this.#keys.current ? sealMaterial(this.#keys.current, material) : material;
  }

  async open(stored: string): Promise<string> {
    return openMaterial(this.#keys, stored);
  }
}

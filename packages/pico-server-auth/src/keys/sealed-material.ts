import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KeyEncryptionKey, KeyEncryptionKeys } from "./key-encryption-key.js";
import { KeyEncryptionError } from "./key-encryption-error.js";

/**
 * Sealed text: `pico-kek:v1:<key id>:<base64url iv>.<base64url ciphertext ‖ 16-byte tag>`, AES-256-GCM
 * under the key encryption key whose id it names. The header (`pico-kek:v1:<key id>`) is the additional
 * authenticated data, so neither the version nor the key id can be altered unnoticed.
 */
export const SEALED_PREFIX = "pico-kek:";
const VERSION = "v1";
const SEALED = /^pico-kek:v1:([0-9a-f]{8}):([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;
/** 96 bits, GCM's own nonce size, random per seal: NIST allows 2^32 such seals per key; a signing key is sealed once per rotation. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealMaterial(kek: KeyEncryptionKey, material: string): string {
  const header = `${SEALED_PREFIX}${VERSION}:${kek.id}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", kek.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header));
  const sealed = Buffer.concat([cipher.update(material, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${header}:${iv.toString("base64url")}.${sealed.toString("base64url")}`;
}

/** The id of the key that sealed `stored`; undefined for plaintext (or text that is not sealed text at all). */
export function sealedBy(stored: string): string | undefined {
  return SEALED.exec(stored)?.[1];
}

/**
 * Opens sealed text with whichever of `keys` sealed it; plaintext (it never starts with `pico-kek:`:
 * serialised material is JSON) is returned as it is. Every failure is a KeyEncryptionError with a
 * message for the operator, never OpenSSL's "Unsupported state or unable to authenticate data".
 */
export function openMaterial(keys: KeyEncryptionKeys, stored: string): string {
  if (!stored.startsWith(SEALED_PREFIX)) return stored;
  const parts = SEALED.exec(stored);
  if (!parts) {
    const version = /^pico-kek:([^:]*):/.exec(stored)?.[1];
    const what = version !== undefined && version !== VERSION ? `sealed text of format ${JSON.stringify(version.slice(0, 16))}, which this version cannot open` : "malformed sealed text";
    throw new KeyEncryptionError("KEY_MATERIAL_DAMAGED", `its stored material is ${what} (expected pico-kek:v1:<key id>:<iv>.<ciphertext>): restore the store from a backup`);
  }
  const [, id, iv, sealed] = parts as unknown as [string, string, string, string];
  const kek = keys.current?.id === id ? keys.current : keys.previous.find((k) => k.id === id);
  if (!kek) throw new KeyEncryptionError("KEY_ENCRYPTION_MISMATCH", mismatch(id, keys));
  const bytes = Buffer.from(sealed, "base64url");
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek.key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${SEALED_PREFIX}${VERSION}:${id}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch (error) {
    // The right key (its id matched): the text itself was altered or damaged.
    throw new KeyEncryptionError("KEY_MATERIAL_DAMAGED", `its material, sealed by key encryption key ${id}, fails its integrity check (altered or damaged): restore the store from a backup`, { cause: error });
  }
}

function mismatch(id: string, keys: KeyEncryptionKeys): string {
  const need = `it is sealed by key encryption key ${id} (the first 8 hex digits of the key's SHA-256)`;
  if (!keys.current) return `${need}, but none is configured: set server_auth.key_encryption_key (env SERVER_AUTH__KEY_ENCRYPTION_KEY) or key_encryption_key_file to that key`;
  const previous = keys.previous.length === 0 ? "" : ` nor any of server_auth.key_encryption_key_previous (${keys.previous.map((k) => k.id).join(", ")})`;
  return `${need}, which is not server_auth.key_encryption_key (${keys.current.id})${previous}: configure key ${id}, as key_encryption_key or in key_encryption_key_previous after a change of key`;
}

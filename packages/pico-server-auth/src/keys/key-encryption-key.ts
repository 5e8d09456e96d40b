import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ServerAuthConfigurationError } from "../errors.js";
import type { ServerAuthSettings } from "../settings.js";

/** A key encryption key (32 bytes, AES-256) and its id: the first 8 hex digits of its SHA-256, which sealed text names. */
export interface KeyEncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The key that seals (none: material is stored unsealed), and the earlier ones that still open what they sealed. */
export interface KeyEncryptionKeys {
  readonly current: KeyEncryptionKey | undefined;
  readonly previous: readonly KeyEncryptionKey[];
}

const HEX = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters and one "=" of padding; either alphabet, padding optional.
const BASE64 = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;
const EXPECTED = "32 bytes as 64 hex characters or as base64 (e.g. the output of `openssl rand -hex 32`)";

/**
 * The key encryption keys the settings name: `key_encryption_key` or the trimmed content of
 * `key_encryption_key_file` (not both), and `key_encryption_key_previous`. Throws a configuration
 * error naming the setting, what was expected, and the file's path; never a key, nor a file's content.
 */
export function keyEncryptionKeys(settings: Pick<ServerAuthSettings, "keyEncryptionKey" | "keyEncryptionKeyFile" | "keyEncryptionKeyPrevious">): KeyEncryptionKeys {
  const { keyEncryptionKey: inline, keyEncryptionKeyFile: file, keyEncryptionKeyPrevious: previous } = settings;
  if (inline !== undefined && file !== undefined) {
    fail("server_auth.key_encryption_key and server_auth.key_encryption_key_file are both set: keep one (the file, to keep the key out of the environment)");
  }
  const current =
    inline !== undefined ? parseKey(inline, "server_auth.key_encryption_key") : file !== undefined ? parseKey(readKeyFile(file), `server_auth.key_encryption_key_file (${file})`) : undefined;
  const older = previous.map((value, i) => parseKey(value, `server_auth.key_encryption_key_previous[${i}]`));
  if (!current && older.length > 0) {
    fail("server_auth.key_encryption_key_previous is set without server_auth.key_encryption_key (or key_encryption_key_file): previous keys only open what they sealed, a current key must seal new keys");
  }
  // A key listed twice (or the current one listed again) is tried once.
  const unique = new Map(older.filter((k) => k.id !== current?.id).map((k) => [k.id, k]));
  return { current, previous: [...unique.values()] };
}

/** 64 hex characters or base64 of 32 bytes, surrounding white space ignored. */
export function parseKey(value: string, setting: string): KeyEncryptionKey {
  const text = value.trim();
  let key: Buffer | undefined;
  if (HEX.test(text)) key = Buffer.from(text, "hex");
  else if (BASE64.test(text)) key = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  // The value is a secret: the message says what is wrong with it, not what it is.
  if (key?.length !== 32) fail(`${setting} must be ${EXPECTED}; got ${text.length} characters that are neither`);
  return { id: keyId(key), key };
}

/** What sealed text names its key by: 32 bits of its SHA-256, enough to tell keys apart, nothing to recover one from. */
export function keyId(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    // The errno code only (ENOENT, EACCES, EISDIR): the path is named once, by the caller's message.
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    fail(`server_auth.key_encryption_key_file: cannot read ${path} (${code}); it must hold the key encryption key, ${EXPECTED}`);
  }
}

function fail(message: string): never {
  throw new ServerAuthConfigurationError(message);
}

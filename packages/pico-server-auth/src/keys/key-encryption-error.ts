import { ServerAuthError } from "../errors.js";

/**
 * Stored signing-key material that cannot be opened. Fails boot (status 500, never exposed):
 * - `KEY_ENCRYPTION_MISMATCH`: sealed by a key encryption key that is not configured (none, or
 *   another one); the message names the key id it needs;
 * - `KEY_MATERIAL_DAMAGED`: sealed text that is malformed or fails its integrity check (altered or
 *   damaged), or that holds another key than its kid says.
 */
export class KeyEncryptionError extends ServerAuthError {
  declare readonly code: "KEY_ENCRYPTION_MISMATCH" | "KEY_MATERIAL_DAMAGED";

  constructor(code: "KEY_ENCRYPTION_MISMATCH" | "KEY_MATERIAL_DAMAGED", message: string, options?: { cause?: unknown }) {
    super(code, 500, message, {}, options);
  }
}

import type { StoredSigningKey } from "../keys/signing-key-store.js";
import type { KeyEncryption } from "./key-encryption.js";
import { KeyEncryptionError } from "./key-encryption-error.js";
import { loadKey } from "./key-material.js";
import type { LoadedKey } from "./key-material.js";

/**
 * A stored signing key, opened (KEY_ENCRYPTION) and loaded. What it holds must be the key its kid
 * names (the kid is the key's own thumbprint): sealed material moved to another row is refused, which
 * is what binding the kid into the ciphertext would give, without the port having to know kids.
 * Errors name the kid.
 */
export async function openSigningKey(encryption: KeyEncryption, stored: Pick<StoredSigningKey, "kid" | "alg" | "material">): Promise<LoadedKey> {
  let key: LoadedKey;
  try {
    key = await loadKey(stored.alg, await encryption.open(stored.material));
  } catch (error) {
    if (error instanceof KeyEncryptionError) throw new KeyEncryptionError(error.code, `signing key ${stored.kid}: ${error.message}`, { cause: error });
    throw error;
  }
  if (key.kid !== stored.kid) throw new KeyEncryptionError("KEY_MATERIAL_DAMAGED", `signing key ${stored.kid}: its stored material is another key's (kid ${key.kid}): restore the store from a backup`);
  return key;
}

import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnInit } from "pico-ioc";
import { ServerAuthSettings } from "../settings.js";
import { SIGNING_KEY_STORE } from "./signing-key-store.js";
import type { SigningKeyStore } from "./signing-key-store.js";
import { AesKeyEncryption } from "./aes-key-encryption.js";
import { KEY_ENCRYPTION } from "./key-encryption.js";
import type { KeyEncryption } from "./key-encryption.js";

/** The `event` fields of what KeyEncryptionNotice logs. */
export const KEY_ENCRYPTION_EVENT = {
  /** warn: no key encryption key, private signing keys are stored as they are. */
  unencrypted: "auth.keys_unencrypted",
  /** info: a key encryption key is set, but some stored keys were written without one (or with a previous one). */
  unsealed: "auth.keys_unsealed",
} as const;

/**
 * Says at boot, once, how private signing keys are kept: a warning without a key encryption key (not
 * for store: memory, which keeps nothing at rest); with one, an info line counting the stored keys it
 * did not seal. Those are not sealed again here: the stores have no "update a key" step, and a key
 * leaves the store by itself after a rotation (see docs: key encryption).
 */
@component()
export class KeyEncryptionNotice implements OnInit {
  readonly #encryption: KeyEncryption;
  readonly #settings: ServerAuthSettings;
  readonly #store: SigningKeyStore;
  readonly #logger: Logger;

  constructor(@inject(KEY_ENCRYPTION) encryption: KeyEncryption, settings: ServerAuthSettings, @inject(SIGNING_KEY_STORE) store: SigningKeyStore, @inject(LOGGER) logger: Logger) {
    this.#encryption = encryption;
    this.#settings = settings;
    this.#store = store;
    this.#logger = logger;
  }

  async onInit(): Promise<void> {
    if (!this.#encryption.enabled) {
      if (this.#settings.store === "memory") return;
      this.#logger.warn(
        `pico-server-auth: no server_auth.key_encryption_key: private signing keys are stored in plaintext in the ${this.#settings.store} store, and a copy of it can sign tokens. ` +
          "Set one: generate it with `openssl rand -hex 32`, pass it as SERVER_AUTH__KEY_ENCRYPTION_KEY or in a file named by server_auth.key_encryption_key_file",
        { event: KEY_ENCRYPTION_EVENT.unencrypted },
      );
      return;
    }
    const stored = await this.#store.signingKeys();
    // Serialised material is JSON: whatever seals it (this package, a KMS) does not start with "{".
    const plaintext = stored.filter((k) => k.material.startsWith("{")).map((k) => k.kid);
    const aes = this.#encryption instanceof AesKeyEncryption ? this.#encryption : undefined;
    const byPrevious = aes ? stored.filter((k) => !k.material.startsWith("{") && aes.sealedBy(k.material) !== aes.keyId).map((k) => k.kid) : [];
    if (plaintext.length === 0 && byPrevious.length === 0) return;
    const parts = [
      ...(plaintext.length === 0 ? [] : [`${plaintext.length} stored in plaintext, written before a key encryption key was set (${plaintext.join(", ")})`]),
      ...(byPrevious.length === 0 ? [] : [`${byPrevious.length} sealed by a previous key encryption key (${byPrevious.join(", ")})`]),
    ];
    this.#logger.info(
      `pico-server-auth: ${parts.join("; ")}, of ${stored.length} signing keys. They stay as they are until they leave the store, refresh_token_expire_days after a rotation retires them: ` +
        "rotate now (SigningKeys.rotate()) so that the key that signs is sealed by the current key encryption key; keep any previous key in key_encryption_key_previous until then",
      { event: KEY_ENCRYPTION_EVENT.unsealed, plaintext: plaintext.length, previous: byPrevious.length },
    );
  }
}

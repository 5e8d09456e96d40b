// INTERIM (issue 16, branch issue16-sync): SIGNING_KEY_STORE and REVOCATION_STORE over the old
// AUTH_STORE, so this branch boots before the ports branch (issue16-ports) provides the real ports.
// Delete this file and its export in index.ts when merging with that branch.
import { component, inject } from "pico-ioc";
import { SIGNING_KEY_STORE } from "../keys/signing-key-store.js";
import type { SigningKeyStore, StoredSigningKey } from "../keys/signing-key-store.js";
import { REVOCATION_STORE } from "../sessions/revocation-store.js";
import type { RevocationChanges, RevocationStore } from "../sessions/revocation-store.js";
import { AUTH_STORE } from "../store/auth-store.js";
import type { AuthStore } from "../store/auth-store.js";

/** Compare-and-set in this process only (the old store cannot do it atomically): enough for one instance. */
@component({ provides: SIGNING_KEY_STORE, fallback: true })
export class InterimSigningKeyStore implements SigningKeyStore {
  readonly #store: AuthStore;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(@inject(AUTH_STORE) store: AuthStore) {
    this.#store = store;
  }

  signingKeys(): Promise<StoredSigningKey[]> {
    return this.#store.signingKeys();
  }

  addSigningKey(key: StoredSigningKey, expectedActive: string | undefined): Promise<boolean> {
    const run = this.#queue.then(async () => {
      const active = (await this.#store.signingKeys()).findLast((k) => k.retiredAt === undefined)?.kid;
      if (active !== expectedActive) return false;
      await this.#store.addSigningKey(key);
      return true;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  deleteSigningKey(kid: string): Promise<void> {
    return this.#store.deleteSigningKey(kid);
  }

  firstSigningKey(): Promise<string | undefined> {
    return this.#store.firstSigningKey();
  }
}

/** No feed in the old store: every read is a full read (a superset of "since the cursor"). */
@component({ provides: REVOCATION_STORE, fallback: true })
export class InterimRevocationStore implements RevocationStore {
  readonly #store: AuthStore;

  constructor(@inject(AUTH_STORE) store: AuthStore) {
    this.#store = store;
  }

  async revokedSince(_cursor: string | undefined, now: number): Promise<RevocationChanges> {
    return { revoked: await this.#store.revokedAccessTokens(now), cursor: "full" };
  }
}

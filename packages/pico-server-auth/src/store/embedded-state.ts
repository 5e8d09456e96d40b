import type { BindingStore } from "../bindings/binding-store.js";
import type { SigningKeyStore } from "../keys/signing-key-store.js";
import type { AdminCredentialStore } from "../login/admin-credential-store.js";
import type { RevocationStore } from "../sessions/revocation-store.js";
import type { SessionStore } from "../sessions/session-store.js";
import type { DurableState } from "../state/durable-state.js";

/** A backend whose one object serves every durable port over one connection (SqliteAuthStore, InMemoryAuthStore). */
export type EmbeddedStore = SigningKeyStore & BindingStore & SessionStore & RevocationStore & AdminCredentialStore & { close(): Promise<void> };

/**
 * The DurableState of an embedded backend: every port is `store` (but `signingKeys`, when given: the
 * SQLite backend's writes the boot marker after a key is added). No change signal: processes sharing
 * one SQLite file poll, and memory is one process's. The readiness check is a one-row read.
 */
export function embeddedState(kind: "sqlite" | "memory", store: EmbeddedStore, signingKeys: SigningKeyStore = store): DurableState {
  return {
    kind,
    signingKeys,
    bindings: store,
    sessions: store,
    revocations: store,
    admin: store,
    check: async () => void (await store.firstSigningKey()),
    close: () => store.close(),
  };
}

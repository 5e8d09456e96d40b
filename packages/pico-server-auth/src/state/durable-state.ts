import { createToken } from "pico-ioc";
import type { BindingStore } from "../bindings/binding-store.js";
import type { SigningKeyStore } from "../keys/signing-key-store.js";
import type { AdminCredentialStore } from "../login/admin-credential-store.js";
import type { RevocationStore } from "../sessions/revocation-store.js";
import type { SessionStore } from "../sessions/session-store.js";
import type { ChangeSignal } from "../sync/change-signal.js";

/**
 * One backend of the durable ports (SQLite, memory, PostgreSQL): each of them sharing one connection.
 * `server_auth.store` picks it (a factory provider); each port's own factory takes its part, so any
 * single port can still be replaced on its own.
 */
export interface DurableState {
  readonly kind: "sqlite" | "memory" | "postgres";
  readonly signingKeys: SigningKeyStore;
  readonly bindings: BindingStore;
  readonly sessions: SessionStore;
  readonly revocations: RevocationStore;
  readonly admin: AdminCredentialStore;
  /** The backend's own change signal (PostgreSQL: LISTEN/NOTIFY), if it has one. */
  readonly signal?: ChangeSignal;
  /** A cheap read, for /readyz: throws StoreUnavailableError when the backend cannot answer. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export const DURABLE_STATE = createToken<DurableState>("DurableState");

import { LOGGER, METRICS, factory } from "pico-ioc";
import { BINDING_STORE } from "../bindings/binding-store.js";
import { SIGNING_KEY_STORE } from "../keys/signing-key-store.js";
import { ADMIN_CREDENTIAL_STORE } from "../login/admin-credential-store.js";
import { REVOCATION_STORE } from "../sessions/revocation-store.js";
import { SESSION_STORE } from "../sessions/session-store.js";
import { ServerAuthSettings } from "../settings.js";
import { DURABLE_STATE } from "./durable-state.js";
import type { DurableState } from "./durable-state.js";
import { openDurableState } from "./open-durable-state.js";

/**
 * DURABLE_STATE: the backend `server_auth.store` names (sqlite, memory, postgres), opened at boot and
 * closed at shutdown. Replace it with `{ provide: DURABLE_STATE, useValue: ... }` or
 * `@component({ provides: DURABLE_STATE })`.
 */
export const DurableStateProvider = factory({
  provides: DURABLE_STATE,
  inject: [ServerAuthSettings, LOGGER, METRICS] as const,
  fallback: true,
  name: "DurableStateProvider",
  create: async (settings, logger, metrics) => {
    const state = await openDurableState(settings, logger, metrics);
    return { ...state, onDestroy: () => state.close() };
  },
});

/** Each port's fallback: its part of DURABLE_STATE. `@component({ provides: SESSION_STORE })` (say) replaces that port alone. */
const part = <K extends "signingKeys" | "bindings" | "sessions" | "revocations" | "admin">(key: K) => (state: DurableState): DurableState[K] => state[key];

export const SigningKeyStoreProvider = factory({ provides: SIGNING_KEY_STORE, inject: [DURABLE_STATE] as const, fallback: true, name: "SigningKeyStoreProvider", create: part("signingKeys") });
export const BindingStoreProvider = factory({ provides: BINDING_STORE, inject: [DURABLE_STATE] as const, fallback: true, name: "BindingStoreProvider", create: part("bindings") });
export const SessionStoreProvider = factory({ provides: SESSION_STORE, inject: [DURABLE_STATE] as const, fallback: true, name: "SessionStoreProvider", create: part("sessions") });
export const RevocationStoreProvider = factory({ provides: REVOCATION_STORE, inject: [DURABLE_STATE] as const, fallback: true, name: "RevocationStoreProvider", create: part("revocations") });
export const AdminCredentialStoreProvider = factory({ provides: ADMIN_CREDENTIAL_STORE, inject: [DURABLE_STATE] as const, fallback: true, name: "AdminCredentialStoreProvider", create: part("admin") });

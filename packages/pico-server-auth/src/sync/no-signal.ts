import type { ChangeSignal } from "./change-signal.js";

/**
 * The change signal of a backend that has none (one process; workers sharing SQLite): publishing
 * reaches no one and no listener is ever called, so every instance relies on its polling
 * (`server_auth.sync_interval_ms`).
 */
export const noSignal: ChangeSignal = {
  publish: async () => undefined,
  subscribe: () => () => undefined,
};

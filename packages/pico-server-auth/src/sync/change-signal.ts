import { createToken } from "pico-ioc";

/** The shared state other instances keep a view of. */
export type ChangeTopic = "signing-keys" | "revocations";

/**
 * Port: tells other instances that shared state changed, so they reread it now rather than at their
 * next poll (`server_auth.sync_interval_ms`, the fallback that keeps working when signals are lost).
 * A signal carries no data: the store stays the only truth. Implementations: Redis pub/sub,
 * PostgreSQL LISTEN/NOTIFY, or none (one process, or workers sharing SQLite, which poll).
 * Replace with `@component({ provides: CHANGE_SIGNAL })`.
 */
export interface ChangeSignal {
  /** Signals `topic` to every other instance. Best effort: never throws (a lost signal is caught up by polling). */
  publish(topic: ChangeTopic): Promise<void>;
  /** Calls `listener` whenever another instance signals `topic`; returns the unsubscribe function. */
  subscribe(topic: ChangeTopic, listener: () => void): () => void;
}

export const CHANGE_SIGNAL = createToken<ChangeSignal>("ChangeSignal");

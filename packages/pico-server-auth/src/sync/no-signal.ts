import { component } from "pico-ioc";
import { CHANGE_SIGNAL } from "./change-signal.js";
import type { ChangeSignal, ChangeTopic } from "./change-signal.js";

/**
 * The change signal when there is none to use (one process, or workers sharing SQLite): publishing
 * reaches nobody and no listener is ever called, so other instances see a change at their next poll
 * (`server_auth.sync_interval_ms`). Redis pub/sub or PostgreSQL LISTEN/NOTIFY replace it.
 */
@component({ provides: CHANGE_SIGNAL, fallback: true })
export class NoChangeSignal implements ChangeSignal {
  publish(_topic: ChangeTopic): Promise<void> {
    return Promise.resolve();
  }

  subscribe(_topic: ChangeTopic, _listener: () => void): () => void {
    return () => {};
  }
}

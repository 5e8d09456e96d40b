import type { ChangeSignal, ChangeTopic } from "./change-signal.js";

/**
 * The change signal when there is none to use (one process, or workers sharing SQLite): publishing
 * reaches nobody and no listener is ever called, so other instances see a change at their next poll
 * (`server_auth.sync_interval_ms`). Not a component: ChangeSignalProvider answers CHANGE_SIGNAL with
 * `noSignal` when neither the fast nor the durable state has a signal of its own.
 */
export class NoChangeSignal implements ChangeSignal {
  publish(_topic: ChangeTopic): Promise<void> {
    return Promise.resolve();
  }

  subscribe(_topic: ChangeTopic, _listener: () => void): () => void {
    return () => {};
  }
}

/** The one NoChangeSignal every process can share (it holds nothing). */
export const noSignal: ChangeSignal = new NoChangeSignal();

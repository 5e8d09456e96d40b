import { afterEach, beforeEach } from "vitest";

/** What a contract suite's `open` resolves to: a store on fresh, empty state. */
export interface OpenedStore<T> {
  readonly store: T;
  /**
   * More connections to the same state (another process's, another pool's), if the backend can have
   * several: the concurrency cases spread their calls over `store` and these, so they check atomicity
   * between instances, not only within one.
   */
  readonly peers?: readonly T[];
  /** Closes the store and its peers, and drops the state (a temporary file, a database of the test's own). */
  close(): Promise<void>;
}

/** Opens a fresh store before each case and closes it after; returns the accessor the cases use. */
export function eachOpened<O extends { close(): Promise<void> }>(open: () => Promise<O>): () => O {
  let current: O | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  return () => {
    if (!current) throw new Error("the store is used outside a test case");
    return current;
  };
}

/** `store` and its peers, in turn: the i-th call of a concurrency case goes to `connections(o)[i % length]`. */
export function connections<T>(opened: OpenedStore<T>): readonly T[] {
  return [opened.store, ...(opened.peers ?? [])];
}

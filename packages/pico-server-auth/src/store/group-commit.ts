import type Database from "better-sqlite3";

interface Pending {
  readonly call: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  outcome?: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
}

/**
 * Runs a database's calls in the order they were made, all the calls made during one turn of the
 * event loop in ONE immediate transaction, each call in a savepoint of its own: with
 * `synchronous = FULL` that is one disk sync for a whole batch of concurrent sign-ins instead of one
 * each. A call fails alone (its savepoint is rolled back, the others commit); a call resolves only
 * once its batch is committed, so "resolved" still means "on disk".
 */
export class GroupCommit {
  readonly #db: Database.Database;
  readonly #batch: (pending: readonly Pending[]) => void;
  #queue: Pending[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
    const savepoint = db.prepare("SAVEPOINT pico_call");
    const release = db.prepare("RELEASE pico_call");
    const rollbackTo = db.prepare("ROLLBACK TO pico_call");
    this.#batch = db.transaction((pending: readonly Pending[]) => {
      for (const p of pending) {
        savepoint.run();
        try {
          p.outcome = { ok: true, value: p.call() };
          release.run();
        } catch (error) {
          p.outcome = { ok: false, error };
          // Some failures (a full disk, say) end the whole transaction: then nothing of it holds.
          if (!db.inTransaction) throw error;
          rollbackTo.run();
          release.run();
        }
      }
    }).immediate;
  }

  run<T>(call: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ call, resolve: resolve as (value: unknown) => void, reject });
      // setImmediate, not a microtask: the requests already received in this turn join the batch.
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (close() calls it before closing the database). */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const pending = this.#queue;
    this.#queue = [];
    if (pending.length === 0) return;
    try {
      if (!this.#db.open) throw new Error("the database was closed before this call ran");
      this.#batch(pending);
    } catch (error) {
      for (const p of pending) p.reject(error);
      return;
    }
    for (const p of pending) {
      const outcome = p.outcome as NonNullable<Pending["outcome"]>;
      if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    }
  }
}

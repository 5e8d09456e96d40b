import type { Logger } from "pico-ioc";
import type { ChangeSignal, ChangeTopic } from "./change-signal.js";

export interface StoreFollowerOptions {
  /** The topic other instances signal when they change what `read` reads. */
  readonly topic: ChangeTopic;
  readonly signal: ChangeSignal;
  /** `server_auth.sync_interval_ms`: the poll, which keeps working when signals are lost. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** What is followed, for the log: "signing keys", "revocations". */
  readonly what: string;
  /** Rereads the shared store and adopts what it holds; throws when the store cannot answer. */
  readonly read: () => Promise<void>;
}

/**
 * Keeps an in-memory view following a shared store: it rereads on another instance's signal, every
 * `intervalMs` (the fallback), and on request. Reads never overlap, and requests coalesce: a request
 * joins the read waiting to start, if any, and waits for that one only; it never settles for a read
 * already under way, which may have read before the change the caller knows of.
 *
 * A failing store is logged once per outage (and once when it answers again), not at every poll.
 */
export class StoreFollower {
  readonly #options: StoreFollowerOptions;
  /** The read under way; it never rejects (errors are the caller's promise's). */
  #running: Promise<unknown> | undefined;
  /** The read requested but not started yet, which every request until it starts joins. */
  #waiting: Promise<void> | undefined;
  /** Callers of nextRead(), to be told when the next read to start is over. */
  #waiters: (() => void)[] = [];
  #failing = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: StoreFollowerOptions) {
    this.#options = options;
  }

  /** Follows signals and polls; the poll's timer does not keep the process alive. */
  start(): void {
    if (this.#timer) return;
    const quietly = () => void this.reread().catch(() => {});
    this.#unsubscribe = this.#options.signal.subscribe(this.#options.topic, quietly);
    this.#timer = setInterval(quietly, this.#options.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Whether the last read failed (the store could not answer): what is in memory may lack changes since. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Whether a read is requested and has not started yet (a new request would join it). */
  get pending(): boolean {
    return this.#waiting !== undefined;
  }

  /**
   * A read that starts after this call (shared with the other requests made before it starts).
   * Rejects with the store's error, which is logged here once per outage.
   */
  reread(): Promise<void> {
    this.#waiting ??= (this.#running ?? Promise.resolve()).then(() => {
      this.#waiting = undefined;
      const waiters = this.#waiters.splice(0);
      const run = this.#attempt();
      const settled = run.catch(() => {});
      this.#running = settled;
      void settled.then(() => {
        if (this.#running === settled) this.#running = undefined;
        for (const done of waiters) done();
      });
      return run;
    });
    return this.#waiting;
  }

  /** Resolves once the next read to start (whoever asked for it) is over, successful or not; asks for none. */
  nextRead(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Tells the other instances to reread now; never throws (a lost signal is caught up by their poll). */
  async publish(): Promise<void> {
    try {
      await this.#options.signal.publish(this.#options.topic);
    } catch (error) {
      this.#options.logger.debug(`pico-server-auth: could not signal a change of the ${this.#options.what}; other instances see it at their next poll`, { err: error });
    }
  }

  async #attempt(): Promise<void> {
    const { logger, what } = this.#options;
    try {
      await this.#options.read();
    } catch (error) {
      if (!this.#failing) {
        logger.warn(`pico-server-auth: cannot reread the ${what} from the store; keeping the ones in memory and retrying every poll (logged again when it works)`, {
          event: "auth.sync_failed",
          what,
          err: error,
        });
      }
      this.#failing = true;
      throw error;
    }
    if (this.#failing) logger.info(`pico-server-auth: the ${what} are read from the store again`, { event: "auth.sync_recovered", what });
    this.#failing = false;
  }
}

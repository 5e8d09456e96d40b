import type { Logger } from "pico-ioc";
import type { StoreUnavailableError } from "../errors.js";

/** At most one error line per this long: the start of an outage, or a reminder while it lasts. */
export const OUTAGE_LOG_INTERVAL_MS = 60_000;

interface Outage {
  readonly since: number;
  /** The store methods that failed and have not succeeded since. */
  readonly failing: Set<string>;
  failed: number;
  /** Whether this outage's start was logged (an end is logged only then). */
  announced: boolean;
}

/**
 * Logs a store outage when it starts and when it ends, not once per failed call: during a long
 * outage every request fails, and a line each would bury the rest of the log. While it lasts, a
 * reminder at most every OUTAGE_LOG_INTERVAL_MS, counting the calls failed since the last line.
 *
 * An outage ends when every method that failed has succeeded since: a full disk still serves reads,
 * so a read that works does not end an outage of writes. Error lines are rate-limited across
 * outages too, so a store that keeps failing and recovering (a damaged page that only some calls
 * read) logs at most one start (and its end) per interval.
 */
export class StoreOutageLog {
  readonly #logger: Logger;
  readonly #now: () => number;
  #outage: Outage | undefined;
  #lastErrorLine = Number.NEGATIVE_INFINITY;
  /** Calls failed since the last error line. */
  #unreported = 0;

  constructor(logger: Logger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
  }

  failed(method: string, error: StoreUnavailableError): void {
    const now = this.#now();
    const outage = (this.#outage ??= { since: now, failing: new Set(), failed: 0, announced: false });
    outage.failing.add(method);
    outage.failed++;
    this.#unreported++;
    if (now - this.#lastErrorLine < OUTAGE_LOG_INTERVAL_MS) return;
    const count = `${this.#unreported} call${this.#unreported === 1 ? "" : "s"}`;
    const line = outage.announced
      ? `pico-server-auth: the auth store is still unavailable (${error.reason}), since ${iso(outage.since)}: ${count} failed with 503 since the last line`
      : `pico-server-auth: the auth store is unavailable (${error.reason}): requests that need it answer 503 until it recovers (${count} so far). Logged again when it recovers, and at most once a minute while it lasts`;
    this.#logger.error(line, { err: error });
    outage.announced = true;
    this.#lastErrorLine = now;
    this.#unreported = 0;
  }

  succeeded(method: string): void {
    const outage = this.#outage;
    if (!outage || !outage.failing.delete(method) || outage.failing.size > 0) return;
    this.#outage = undefined;
    if (!outage.announced) return;
    const seconds = ((this.#now() - outage.since) / 1000).toFixed(1);
    this.#logger.warn(`pico-server-auth: the auth store works again, after ${seconds} s unavailable since ${iso(outage.since)}: ${outage.failed} call${outage.failed === 1 ? "" : "s"} failed with 503 meanwhile`);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

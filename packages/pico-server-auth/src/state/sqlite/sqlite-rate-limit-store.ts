import type Database from "better-sqlite3";
import { DEFAULT_COUNTER_CAPACITY } from "../../limits/memory-rate-limit-store.js";
import { checkHitArguments, checkLimitKey } from "../../limits/hit-arguments.js";
import type { RateLimitStore, WindowCount } from "../../limits/rate-limit-store.js";
import { sharedCall } from "./shared-db.js";

/** How often (at most) one process sweeps ended windows out of the table, and trims it to its capacity. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * Fixed-window counters in the shared database, counted by every worker of the machine. A hit is one
 * upsert statement (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), so concurrent hits from any
 * number of workers are all counted, and the window rule (start one at the first hit, never move its
 * end) is applied inside it. Ended windows are swept every SWEEP_INTERVAL_MS; past `capacity` keys
 * the windows that end soonest go first.
 */
export class SqliteRateLimitStore implements RateLimitStore {
  readonly #statements: ReturnType<typeof statements>;
  readonly #capacity: number;
  #sweptAt = 0;
  /** Milliseconds since the epoch (every worker of a machine shares the clock); replaceable in tests. */
  now: () => number = Date.now;

  constructor(db: Database.Database, capacity = DEFAULT_COUNTER_CAPACITY) {
    this.#statements = statements(db);
    this.#capacity = capacity;
  }

  async hit(key: string, windowMs: number, amount = 1): Promise<WindowCount> {
    checkHitArguments(key, windowMs, amount);
    const now = this.now();
    return sharedCall(() => {
      this.#sweepIfDue(now);
      // Taking back (or adding nothing) never starts a window: only an open one is updated.
      const row = amount > 0 ? this.#statements.add.get({ key, amount, now, end: now + windowMs }) : this.#statements.takeBack.get({ key, amount, now });
      return row ? { count: row.count, resetAt: row.reset_at } : { count: 0, resetAt: now };
    });
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    checkLimitKey(key);
    const row = await sharedCall(() => this.#statements.peek.get(key, this.now()));
    return row && { count: row.count, resetAt: row.reset_at };
  }

  async reset(key: string): Promise<void> {
    checkLimitKey(key);
    await sharedCall(() => this.#statements.remove.run(key));
  }

  #sweepIfDue(now: number): void {
    if (now - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = now;
    this.#statements.sweep.run(now);
    this.#statements.trim.run(this.#capacity);
  }
}

interface CounterRow {
  readonly count: number;
  readonly reset_at: number;
}

function statements(db: Database.Database) {
  return {
    // In DO UPDATE, `count` and `reset_at` are the row's values before the update: a window that has
    // not ended keeps its end and adds; an ended one starts over, as a new row would.
    add: db.prepare<[{ key: string; amount: number; now: number; end: number }], CounterRow>(`
      INSERT INTO counters (key, count, reset_at) VALUES (@key, @amount, @end)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN reset_at > @now THEN count + @amount ELSE @amount END,
        reset_at = CASE WHEN reset_at > @now THEN reset_at ELSE @end END
      RETURNING count, reset_at`),
    takeBack: db.prepare<[{ key: string; amount: number; now: number }], CounterRow>(
      "UPDATE counters SET count = max(0, count + @amount) WHERE key = @key AND reset_at > @now RETURNING count, reset_at",
    ),
    peek: db.prepare<[string, number], CounterRow>("SELECT count, reset_at FROM counters WHERE key = ? AND reset_at > ?"),
    remove: db.prepare<[string]>("DELETE FROM counters WHERE key = ?"),
    sweep: db.prepare<[number]>("DELETE FROM counters WHERE reset_at <= ?"),
    trim: db.prepare<[number]>("DELETE FROM counters WHERE key IN (SELECT key FROM counters ORDER BY reset_at LIMIT max(0, (SELECT count(*) FROM counters) - ?))"),
  };
}

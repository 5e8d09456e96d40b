import type Database from "better-sqlite3";
import { newChallenge } from "../../challenge/challenge-store.js";
import type { ChallengeRequest, ChallengeStore, PendingChallenge } from "../../challenge/challenge-store.js";
import { sharedCall } from "./shared-db.js";

/**
 * Challenges in the shared database, so a challenge issued by one worker redeems on another, once.
 * Bounded: a challenge is dropped once `max` newer ones were issued (so at most `max` are kept,
 * whatever a flood of addresses asks), and expired ones go at every issue. Consuming is one
 * `DELETE … RETURNING` in an IMMEDIATE transaction: of any number of workers racing, one gets the row;
 * `check` runs inside that transaction, and its throw rolls the delete back.
 */
export class SqliteChallengeStore implements ChallengeStore {
  readonly #ttlMs: number;
  readonly #statements: ReturnType<typeof statements>;
  readonly #issue: (row: ChallengeRow, max: number, now: number) => void;
  readonly #consume: (address: string, challenge: string, now: number, check?: (pending: PendingChallenge) => void) => PendingChallenge | undefined;
  readonly #max: number;
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number = Date.now;

  constructor(db: Database.Database, options: { readonly ttlSeconds: number; readonly maxChallenges: number }) {
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#max = options.maxChallenges;
    const s = statements(db);
    this.#statements = s;
    this.#issue = db.transaction((row: ChallengeRow, max: number, now: number) => {
      const seq = s.insert.get(row)?.seq;
      if (seq === undefined) throw new Error("challenges returned no row right after inserting one");
      s.dropOlder.run(seq - max);
      s.dropExpired.run(now);
    }).immediate;
    this.#consume = db.transaction((address: string, challenge: string, now: number, check?: (pending: PendingChallenge) => void) => {
      const row = s.take.get(challenge, address, now);
      if (!row) return undefined;
      const pending = JSON.parse(row.pending) as PendingChallenge;
      // A throw here rolls the DELETE back: the challenge stays, as it was.
      check?.(pending);
      return pending;
    }).immediate;
  }

  async create(request: ChallengeRequest): Promise<{ challenge: string; pending: PendingChallenge }> {
    const { challenge, pending } = newChallenge(request, this.now(), this.#ttlMs);
    await sharedCall(() => this.#issue({ challenge, address: pending.address, expires_at: pending.expiresAt, pending: JSON.stringify(pending) }, this.#max, pending.issuedAt));
    return { challenge, pending };
  }

  consume(address: string, challenge: string, check?: (pending: PendingChallenge) => void): Promise<PendingChallenge | undefined> {
    return sharedCall(() => this.#consume(address, challenge, this.now(), check));
  }

  /** How many challenges are kept (expired ones included until the next issue). For tests. */
  kept(): Promise<number> {
    return sharedCall(() => this.#statements.count.get()?.n ?? 0);
  }
}

interface ChallengeRow {
  readonly challenge: string;
  readonly address: string;
  readonly expires_at: number;
  readonly pending: string;
}

function statements(db: Database.Database) {
  return {
    insert: db.prepare<[ChallengeRow], { seq: number }>("INSERT INTO challenges (challenge, address, expires_at, pending) VALUES (@challenge, @address, @expires_at, @pending) RETURNING seq"),
    // Every row older than the newest `max`: AUTOINCREMENT never reuses a number, so this keeps at most `max`.
    dropOlder: db.prepare<[number]>("DELETE FROM challenges WHERE seq <= ?"),
    dropExpired: db.prepare<[number]>("DELETE FROM challenges WHERE expires_at <= ?"),
    // Another address's challenge, or an expired one, is not touched: a wrong guess burns nothing.
    take: db.prepare<[string, string, number], { pending: string }>("DELETE FROM challenges WHERE challenge = ? AND address = ? AND expires_at > ? RETURNING pending"),
    count: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM challenges"),
  };
}

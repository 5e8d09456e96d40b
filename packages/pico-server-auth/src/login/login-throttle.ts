import { createHash } from "node:crypto";
import { rateLimited } from "../errors.js";
import type { RateLimitStore } from "../limits/rate-limit-store.js";
import { WindowCounter } from "../limits/window-counter.js";
import type { CountedHit } from "../limits/window-counter.js";

/** Longest delay an email's or the server's failures add before a password check. */
export const MAX_LOGIN_DELAY_MS = 2000;
const FIRST_DELAY_MS = 100;
/** Failures across all emails per window before everyone's checks are slowed: this many times login_max_failures. */
const GLOBAL_FREE_FACTOR = 20;
/** Failures per client across all emails before that client is blocked: this many times login_max_failures. */
const CLIENT_FACTOR = 4;

/** One counted login attempt: what begin() decided, and the keys to settle it by. */
export interface LoginAttempt {
  readonly email: string;
  readonly client: string;
  /** The client had no attempts of its own in the window: it is served first and never refused with 429. */
  readonly clean: boolean;
  /** How long to wait before the password check (the email's and the server's failures). */
  readonly delayMs: number;
}

/**
 * Who may try a password, and how fast. Only the guesser's own failures block (429 + Retry-After):
 * per (email, client), and per client over all emails. An email's failures, and everyone's, only
 * delay the next check (capped at MAX_LOGIN_DELAY_MS), so no one can lock the owner out by failing
 * on purpose from other addresses. Attempts are counted when they begin (parallel guesses cannot slip
 * past the limit: the store counts each hit atomically, on every instance that shares it) and taken
 * back when they succeed, are withdrawn, or are refused.
 */
export class LoginThrottle {
  readonly #byPair: WindowCounter;
  readonly #byClient: WindowCounter;
  readonly #byEmail: WindowCounter;
  readonly #global: WindowCounter;
  readonly #freeFailures: number;

  constructor(store: RateLimitStore, maxFailures: number, windowSeconds: number) {
    this.#freeFailures = maxFailures;
    this.#byPair = new WindowCounter(store, "login:pair", maxFailures, windowSeconds);
    this.#byClient = new WindowCounter(store, "login:client", maxFailures * CLIENT_FACTOR, windowSeconds);
    this.#byEmail = new WindowCounter(store, "login:email", Infinity, windowSeconds);
    this.#global = new WindowCounter(store, "login", Infinity, windowSeconds);
  }

  /**
   * Counts an attempt of `client` for `email` (a fixed-size key of it), or throws 429 when that pair or
   * client is over its limit. All four counts are taken at once; a refused attempt takes them back, so
   * hammering a blocked pair does not use up the client's allowance over other emails.
   */
  async begin(email: string, client: string): Promise<LoginAttempt> {
    const counted = await Promise.allSettled([this.#byPair.hit(pairKey(email, client)), this.#byClient.hit(client), this.#byEmail.hit(email), this.#global.hit(ALL)]);
    const failed = counted.find((c) => c.status === "rejected");
    if (failed) {
      // Best effort: the counts that were taken go back; the store's failure is the answer (a 503).
      await this.#takeBack(email, client, counted.map((c) => c.status === "fulfilled"));
      throw failed.reason;
    }
    const [pair, byClient, byEmail, global] = counted.map((c) => (c as PromiseFulfilledResult<CountedHit>).value) as [CountedHit, CountedHit, CountedHit, CountedHit];
    const wait = Math.max(pair.retryAfter, byClient.retryAfter);
    if (wait > 0) {
      await this.#takeBack(email, client, [true, true, true, true]);
      throw rateLimited(wait);
    }
    // The counts are after this attempt: one less is what came before it.
    const delayMs = Math.max(backoff(byEmail.count - 1, this.#freeFailures), backoff(global.count - 1, this.#freeFailures * GLOBAL_FREE_FACTOR));
    return { email, client, clean: byClient.count === 1, delayMs };
  }

  /**
   * The right password: the pair's and the email's failures are cleared, the client's and the server's
   * count takes this attempt back. Never throws (as #takeBack): the login stands even when the store
   * cannot clear them.
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.allSettled([
      this.#byPair.reset(pairKey(attempt.email, attempt.client)),
      this.#byEmail.reset(attempt.email),
      this.#byClient.forgive(attempt.client),
      this.#global.forgive(ALL),
    ]);
  }

  /** An attempt that never reached the password check (the server was busy): not held against anyone. */
  async withdraw(attempt: LoginAttempt): Promise<void> {
    await this.#takeBack(attempt.email, attempt.client, [true, true, true, true]);
  }

  /**
   * Takes back the counts of one attempt (pair, client, email, server) where `taken` says so. Never
   * throws: a count that cannot be taken back (the store is down) only makes the limit stricter for
   * one window, and must not turn a 429 or the original failure into another error.
   */
  async #takeBack(email: string, client: string, taken: readonly boolean[]): Promise<void> {
    const forgive = [() => this.#byPair.forgive(pairKey(email, client)), () => this.#byClient.forgive(client), () => this.#byEmail.forgive(email), () => this.#global.forgive(ALL)];
    await Promise.allSettled(forgive.filter((_, i) => taken[i]).map((f) => f()));
  }

  /** For tests: the clock of Retry-After (the store's windows keep their own). */
  set now(now: () => number) {
    for (const counter of [this.#byPair, this.#byClient, this.#byEmail, this.#global]) counter.now = now;
  }
}

/** No delay for the first `free` failures, then 100 ms doubling per failure, capped. */
export function backoff(failures: number, free: number): number {
  return failures < free ? 0 : Math.min(MAX_LOGIN_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(failures - free, 16));
}

/** The server-wide counter's key (under the "login" namespace: `login:all`). */
const ALL = "all";

/** A fixed-size key of the pair: the email's digest and a client address would make a long one. */
function pairKey(email: string, client: string): string {
  return createHash("sha256").update(`${email} ${client}`).digest("base64url");
}

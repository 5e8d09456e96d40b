import { rateLimited } from "../errors.js";
import { WindowCounter } from "./window-counter.js";

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
 * past the limit) and taken back when they succeed.
 */
export class LoginThrottle {
  readonly #byPair: WindowCounter;
  readonly #byClient: WindowCounter;
  readonly #byEmail: WindowCounter;
  readonly #global: WindowCounter;
  readonly #freeFailures: number;

  constructor(maxFailures: number, windowSeconds: number) {
    this.#freeFailures = maxFailures;
    this.#byPair = new WindowCounter(maxFailures, windowSeconds);
    this.#byClient = new WindowCounter(maxFailures * CLIENT_FACTOR, windowSeconds);
    this.#byEmail = new WindowCounter(Infinity, windowSeconds);
    this.#global = new WindowCounter(Infinity, windowSeconds, 1);
  }

  /** Counts an attempt of `client` for `email` (a fixed-size key of it), or throws 429 when that pair or client is blocked. */
  begin(email: string, client: string): LoginAttempt {
    const pair = pairKey(email, client);
    const wait = Math.max(this.#byPair.blockedFor(pair), this.#byClient.blockedFor(client));
    if (wait > 0) throw rateLimited(wait);
    const clean = this.#byClient.count(client) === 0;
    const delayMs = Math.max(backoff(this.#byEmail.count(email), this.#freeFailures), backoff(this.#global.count(""), this.#freeFailures * GLOBAL_FREE_FACTOR));
    this.#byPair.hit(pair);
    this.#byClient.hit(client);
    this.#byEmail.hit(email);
    this.#global.hit("");
    return { email, client, clean, delayMs };
  }

  /** The right password: the pair's and the email's failures are cleared, the client's and the server's count takes this attempt back. */
  succeeded(attempt: LoginAttempt): void {
    this.#byPair.reset(pairKey(attempt.email, attempt.client));
    this.#byEmail.reset(attempt.email);
    this.#byClient.forgive(attempt.client);
    this.#global.forgive("");
  }

  /** An attempt that never reached the password check (the server was busy): not held against anyone. */
  withdraw(attempt: LoginAttempt): void {
    this.#byPair.forgive(pairKey(attempt.email, attempt.client));
    this.#byEmail.forgive(attempt.email);
    this.#byClient.forgive(attempt.client);
    this.#global.forgive("");
  }

  /** For tests: the counters' clock. */
  set now(now: () => number) {
    for (const counter of [this.#byPair, this.#byClient, this.#byEmail, this.#global]) counter.now = now;
  }
}

/** No delay for the first `free` failures, then 100 ms doubling per failure, capped. */
export function backoff(failures: number, free: number): number {
  return failures < free ? 0 : Math.min(MAX_LOGIN_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(failures - free, 16));
}

function pairKey(email: string, client: string): string {
  return `${email} ${client}`;
}

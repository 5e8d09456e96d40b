import { ServerAuthError, rateLimited } from "../errors.js";

/** argon2 verifications running at once, server-wide (each holds argon2_memory_kib on a libuv thread). */
export const MAX_CONCURRENT_VERIFICATIONS = 8;
/**
 * Requests that may wait for a check. Clean clients (no attempts of their own in the window) each
 * have at most one attempt waiting, so this lane grows only with the number of distinct addresses;
 * at the bound (a flood from thousands of fresh addresses) they get 503, never 429.
 */
export const MAX_WAITING_CLEAN = 4096;
/** Clients with attempts of their own wait behind the clean ones, this many at most; then 429. */
export const MAX_WAITING_SUSPECT = 64;

type Lane = "clean" | "suspect";

/**
 * Runs password checks a few at a time, with two lanes: clients without failures of their own first,
 * the others after them. A waiting request costs a closure and a timer, and both lanes are bounded,
 * so memory stays bounded however many requests come.
 */
export class VerificationQueue {
  readonly #concurrency: number;
  readonly #limits: Readonly<Record<Lane, number>>;
  readonly #waiting: Record<Lane, number> = { clean: 0, suspect: 0 };
  readonly #queues: Record<Lane, (() => void)[]> = { clean: [], suspect: [] };
  #running = 0;

  constructor(concurrency = MAX_CONCURRENT_VERIFICATIONS, limits: Readonly<Record<Lane, number>> = { clean: MAX_WAITING_CLEAN, suspect: MAX_WAITING_SUSPECT }) {
    this.#concurrency = concurrency;
    this.#limits = limits;
  }

  /** Waits `delayMs`, then for a slot, then runs `check`; refuses at once (429 or 503, with Retry-After) when its lane is full. */
  async run<T>(clean: boolean, delayMs: number, check: () => Promise<T>): Promise<T> {
    const lane: Lane = clean ? "clean" : "suspect";
    if (this.#waiting[lane] >= this.#limits[lane]) {
      throw clean ? new ServerAuthError("LOGIN_BUSY", 503, "login is busy; try again shortly", { "Retry-After": "1" }) : rateLimited(1);
    }
    this.#waiting[lane]++;
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await this.#slot(lane);
    } finally {
      this.#waiting[lane]--;
    }
    try {
      return await check();
    } finally {
      this.#release();
    }
  }

  #slot(lane: Lane): Promise<void> | void {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return;
    }
    return new Promise((resolve) => this.#queues[lane].push(resolve));
  }

  /** Hands the slot to the next waiter, clean ones first. */
  #release(): void {
    const next = this.#queues.clean.shift() ?? this.#queues.suspect.shift();
    if (next) next();
    else this.#running--;
  }
}

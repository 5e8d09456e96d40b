import { createToken } from "pico-ioc";
import type { ChallengeStore } from "../challenge/challenge-store.js";
import type { RateLimitStore } from "../limits/rate-limit-store.js";
import type { ChangeSignal } from "../sync/change-signal.js";

/**
 * One backend of the short-lived shared state: challenges and rate-limit counters. Redis when
 * `server_auth.redis_url` is set (shared by every instance); else, with several workers, a SQLite file
 * in `data_dir` shared by this machine's workers; else process memory (one instance only).
 */
export interface FastState {
  readonly kind: "redis" | "sqlite" | "memory";
  readonly challenges: ChallengeStore;
  readonly counters: RateLimitStore;
  /** The backend's own change signal (Redis: pub/sub), if it has one. */
  readonly signal?: ChangeSignal;
  /** A cheap round trip, for /readyz: throws StoreUnavailableError when the backend cannot answer. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export const FAST_STATE = createToken<FastState>("FastState");

import { InMemoryChallengeStore } from "../challenge/challenge-store.js";
import { InMemoryRateLimitStore } from "../limits/memory-rate-limit-store.js";
import type { ServerAuthSettings } from "../settings.js";
import type { FastState } from "./fast-state.js";

/** The memory FastState's parts, typed: tests fake their clocks. */
export interface MemoryFastState extends FastState {
  readonly kind: "memory";
  readonly challenges: InMemoryChallengeStore;
  readonly counters: InMemoryRateLimitStore;
}

/** Challenges and counters in this process only: right for one instance, not shared with any other. */
export function memoryFastState(settings: ServerAuthSettings): MemoryFastState {
  return {
    kind: "memory",
    challenges: new InMemoryChallengeStore(settings),
    counters: new InMemoryRateLimitStore(),
    check: async () => undefined,
    close: async () => undefined,
  };
}

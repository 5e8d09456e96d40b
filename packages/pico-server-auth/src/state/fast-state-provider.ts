import { LOGGER, factory, hasOnDestroy } from "pico-ioc";
import type { OnDestroy } from "pico-ioc";
import { CHALLENGE_STORE } from "../challenge/challenge-store.js";
import { RATE_LIMIT_STORE } from "../limits/rate-limit-store.js";
import { ServerAuthSettings } from "../settings.js";
import { FAST_STATE } from "./fast-state.js";
import type { FastState } from "./fast-state.js";
import { openFastState } from "./open-fast-state.js";

/**
 * FAST_STATE as the settings choose it (see openFastState): Redis, SQLite shared.db for workers, or
 * memory. A fallback: `@component({ provides: FAST_STATE })` (or a factory) replaces the backend.
 */
export const FastStateProvider = factory({
  provides: FAST_STATE,
  inject: [ServerAuthSettings, LOGGER],
  fallback: true,
  name: "FastStateProvider",
  create: async (settings, logger) => closedAtShutdown(await openFastState(settings, logger)),
});

/** CHALLENGE_STORE: the fast state's. A fallback: `@component({ provides: CHALLENGE_STORE })` replaces this port alone. */
export const ChallengeStoreProvider = factory({
  provides: CHALLENGE_STORE,
  inject: [FAST_STATE],
  fallback: true,
  name: "ChallengeStoreProvider",
  create: (state) => state.challenges,
});

/** RATE_LIMIT_STORE: the fast state's. A fallback: `@component({ provides: RATE_LIMIT_STORE })` replaces this port alone. */
export const RateLimitStoreProvider = factory({
  provides: RATE_LIMIT_STORE,
  inject: [FAST_STATE],
  fallback: true,
  name: "RateLimitStoreProvider",
  create: (state) => state.counters,
});

/** `state`, closed by the container at shutdown: as it is when it has its own onDestroy, else a view whose onDestroy closes it. */
function closedAtShutdown(state: FastState): FastState {
  if (hasOnDestroy(state)) return state;
  const managed: FastState & OnDestroy = {
    kind: state.kind,
    challenges: state.challenges,
    counters: state.counters,
    ...(state.signal && { signal: state.signal }),
    check: () => state.check(),
    close: () => state.close(),
    onDestroy: () => state.close(),
  };
  return managed;
}

import { createToken } from "pico-ioc";
import type { Token } from "pico-ioc";

/**
 * One thing `GET /readyz` checks, e.g. "the store answers". Provide one with
 * `@component({ provides: READINESS_CHECK })`; every provider is run, in parallel, on each probe
 * (at most once per READINESS_CACHE_MS). A factory provider may answer `null` for "nothing to check
 * here" (e.g. a check of a backend that is not in use): it is left out of `/readyz`.
 */
export interface ReadinessCheck {
  /** Its key in the `checks` object of `/readyz`, e.g. `"store"`. */
  readonly name: string;
  /**
   * `undefined` when ready, else why not: the reason is shown to anonymous callers, so it names no
   * secret, path or internal address. A throw counts as not ready: an error with `expose: true` (a
   * 503 of the module's own) shows its message, any other shows "check failed" and is logged.
   * Slower than `web.readiness_timeout_ms` is not ready either.
   */
  check(): string | undefined | Promise<string | undefined>;
}

export const READINESS_CHECK = createToken<ReadinessCheck>("ReadinessCheck");

/** The readiness checks of `container`, without the `null` of factories that had nothing to check. */
export function readinessChecks(container: { getAll<T>(key: Token<T>): T[] }): ReadinessCheck[] {
  return container.getAll(READINESS_CHECK).filter((check): check is ReadinessCheck => check !== null);
}

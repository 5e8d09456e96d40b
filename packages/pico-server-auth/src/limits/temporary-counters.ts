import { component } from "pico-ioc";
import { InMemoryRateLimitStore } from "./memory-rate-limit-store.js";
import { RATE_LIMIT_STORE } from "./rate-limit-store.js";

/** TEMPORARY until pico-ioc's factory() is on main: replaced by RateLimitStoreProvider. */
@component({ provides: RATE_LIMIT_STORE, fallback: true })
export class TemporaryCounters extends InMemoryRateLimitStore {
  constructor() {
    super();
  }
}

import { component, inject } from "pico-ioc";
import { READINESS_CHECK } from "pico-hono";
import type { ReadinessCheck } from "pico-hono";
import { AUTH_STORE } from "../store/auth-store.js";
import type { AuthStore } from "../store/auth-store.js";

/**
 * `/readyz` "store": the store answers a read. A read, not a write: a probe that wrote would wear the
 * disk at every probe, and a full disk (writes fail, reads work) is answered per request with 503
 * anyway. A StoreUnavailableError's reason ("disk I/O error", "database corrupt") is the probe's.
 */
@component({ provides: READINESS_CHECK })
export class StoreReadiness implements ReadinessCheck {
  readonly name = "store";
  readonly #store: AuthStore;

  constructor(@inject(AUTH_STORE) store: AuthStore) {
    this.#store = store;
  }

  async check(): Promise<string | undefined> {
    await this.#store.firstSigningKey();
    return undefined;
  }
}

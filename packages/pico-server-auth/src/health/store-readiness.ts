import { component, inject } from "pico-ioc";
import { READINESS_CHECK } from "pico-hono";
import type { ReadinessCheck } from "pico-hono";
import { DURABLE_STATE } from "../state/durable-state.js";
import type { DurableState } from "../state/durable-state.js";

/**
 * `/readyz` "store": the durable state (DURABLE_STATE.check()) answers a read. A read, not a write: a probe that wrote would wear the
 * disk at every probe, and a full disk (writes fail, reads work) is answered per request with 503
 * anyway. A StoreUnavailableError's reason ("disk I/O error", "database corrupt") is the probe's.
 */
@component({ provides: READINESS_CHECK })
export class StoreReadiness implements ReadinessCheck {
  readonly name = "store";
  readonly #state: DurableState;

  constructor(@inject(DURABLE_STATE) state: DurableState) {
    this.#state = state;
  }

  async check(): Promise<string | undefined> {
    await this.#state.check();
    return undefined;
  }
}

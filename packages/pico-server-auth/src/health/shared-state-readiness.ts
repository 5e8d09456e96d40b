import { READINESS_CHECK } from "pico-hono";
import type { ReadinessCheck } from "pico-hono";
import { factory } from "pico-ioc";
import { FAST_STATE } from "../state/fast-state.js";

/**
 * `/readyz` "shared_state": the shared fast state answers a round trip, when it is Redis (a server
 * that can be down apart from this process). Memory has nothing to check, and SQLite's shared.db
 * lives beside auth.db, which "store" checks: for them there is no check (null, which /readyz skips).
 */
export const SharedStateReadiness = factory({
  provides: READINESS_CHECK,
  inject: [FAST_STATE],
  name: "SharedStateReadiness",
  create: (state) => (state.kind === "redis" ? sharedStateCheck(state.check) : (null as unknown as ReadinessCheck)),
});

function sharedStateCheck(check: () => Promise<void>): ReadinessCheck {
  return {
    name: "shared_state",
    // A StoreUnavailableError is exposed: its detail (no URL, no password) is the probe's reason.
    check: async () => {
      await check();
      return undefined;
    },
  };
}

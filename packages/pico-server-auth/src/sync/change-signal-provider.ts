import { factory } from "pico-ioc";
import { CHANGE_SIGNAL } from "./change-signal.js";
import { DURABLE_STATE } from "../state/durable-state.js";
import { FAST_STATE } from "../state/fast-state.js";
import { noSignal } from "./no-signal.js";

/**
 * CHANGE_SIGNAL: the fast state's (Redis pub/sub) if it has one, else the durable state's (PostgreSQL
 * LISTEN/NOTIFY), else none (noSignal: polling alone). A fallback: `@component({ provides: CHANGE_SIGNAL })`
 * replaces it.
 */
export const ChangeSignalProvider = factory({
  provides: CHANGE_SIGNAL,
  inject: [FAST_STATE, DURABLE_STATE],
  fallback: true,
  name: "ChangeSignalProvider",
  create: (fast, durable) => fast.signal ?? durable.signal ?? noSignal,
});

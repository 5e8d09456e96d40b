import type { Histogram, Metrics } from "pico-ioc";
import { StoreUnavailableError } from "../errors.js";
import type { DurableState } from "../state/durable-state.js";
import type { StoreOutageLog } from "./outage-log.js";

/** Seconds: SQLite answers in well under a millisecond when it is healthy, a group commit waits for fsync. */
const STORE_DURATION_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface PortInstruments {
  /** `pico_auth_store_duration_seconds{operation}`; see storeDuration. */
  readonly duration: Histogram;
  /** Shared by every port of a backend: an outage is the backend's, whichever port saw it. */
  readonly outages: StoreOutageLog;
}

/** The per-operation latency histogram of the store, failed calls included. */
export function storeDuration(metrics: Metrics): Histogram {
  return metrics.histogram("pico_auth_store_duration_seconds", "Auth store call duration by operation (failed calls included)", ["operation"], STORE_DURATION_BUCKETS);
}

/**
 * `port` with every method timed (label `operation`: the method's name) and its StoreUnavailableErrors
 * logged per outage (StoreOutageLog), not per call. One wrapper for every port of every backend: a
 * Proxy, so a method a port gains is covered without being listed. Methods are called on `port`
 * itself (private fields work); what is not a function passes through.
 */
export function instrumentPort<T extends object>(port: T, { duration, outages }: PortInstruments): T {
  // By function, not by name: a method replaced on the port later (a test's spy) is timed too.
  const wrapped = new WeakMap<object, unknown>();
  const proxy = new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function" || typeof property !== "string") return value;
      if (!wrapped.has(value)) wrapped.set(value, timed(target, property, value as (...args: unknown[]) => unknown, duration, outages));
      return wrapped.get(value);
    },
  });
  targets.set(proxy, port);
  return proxy;
}

const targets = new WeakMap<object, object>();

/** The port an instrumented port wraps (the backend's own object), or `port` itself: for diagnostics and tests. */
export function uninstrumented<T extends object>(port: T): T {
  return (targets.get(port) as T | undefined) ?? port;
}

function timed(target: object, operation: string, method: (...args: unknown[]) => unknown, duration: Histogram, outages: StoreOutageLog) {
  return async (...args: unknown[]): Promise<unknown> => {
    const start = performance.now();
    let result: unknown;
    try {
      result = await method.apply(target, args);
    } catch (error) {
      if (error instanceof StoreUnavailableError) outages.failed(operation, error);
      throw error;
    } finally {
      duration.observe({ operation }, (performance.now() - start) / 1000);
    }
    outages.succeeded(operation);
    return result;
  };
}

/** `state` with each of its ports and its check instrumented (instrumentPort); close and signal as they are. */
export function instrumentState(state: DurableState, instruments: PortInstruments): DurableState {
  // The readiness probe may be the only caller while the backend is down: its failures open an outage too.
  const probe = instrumentPort(state, instruments);
  return {
    kind: state.kind,
    signingKeys: instrumentPort(state.signingKeys, instruments),
    bindings: instrumentPort(state.bindings, instruments),
    sessions: instrumentPort(state.sessions, instruments),
    revocations: instrumentPort(state.revocations, instruments),
    admin: instrumentPort(state.admin, instruments),
    ...(state.signal ? { signal: state.signal } : {}),
    check: () => probe.check(),
    close: () => state.close(),
  };
}

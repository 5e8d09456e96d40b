import { createToken } from "./token.js";

/** Label values of one sample; every label named when the instrument was made must be given. */
export type MetricLabels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: MetricLabels, value?: number): void;
}

export interface Histogram {
  /** `value` in the instrument's unit (seconds for durations, as Prometheus names them `_seconds`). */
  observe(labels: MetricLabels | undefined, value: number): void;
}

/**
 * Where modules count things, without depending on a metrics library. Instruments are made once (at
 * construction), then used on hot paths: `inc`/`observe` must be cheap. Names follow Prometheus:
 * `pico_auth_sign_ins_total`, `pico_http_request_duration_seconds`. Making the same name twice
 * returns the same instrument.
 */
export interface Metrics {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  histogram(name: string, help: string, labelNames?: readonly string[], buckets?: readonly number[]): Histogram;
}

export const METRICS = createToken<Metrics>("Metrics");

const noCounter: Counter = { inc: () => {} };
const noHistogram: Histogram = { observe: () => {} };

/** Counts nothing: what `METRICS` resolves to while `web.metrics` is off. */
export const noMetrics: Metrics = { counter: () => noCounter, histogram: () => noHistogram };

import { Counter as PromCounter, Histogram as PromHistogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Counter, Histogram, MetricLabels, Metrics } from "pico-ioc";
import type { MetricsExposition } from "pico-hono";

type Instrument = { readonly kind: "counter"; readonly labelNames: string; readonly made: Counter } | { readonly kind: "histogram"; readonly labelNames: string; readonly made: Histogram };

/**
 * The METRICS port on prom-client, with a Registry of this Application's own: never prom-client's
 * global one, so two Applications in one process neither share nor clash. Loaded (with prom-client)
 * only when `web.metrics` is on. Also collects Node's process metrics (CPU, memory, event loop lag, GC).
 */
export class PromMetrics implements Metrics, MetricsExposition {
  readonly registry = new Registry();
  readonly #instruments = new Map<string, Instrument>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const existing = this.#existing(name, "counter", labelNames);
    if (existing) return existing as Counter;
    const counter = new PromCounter({ name, help, labelNames, registers: [this.registry] });
    const made: Counter = {
      inc: (labels?: MetricLabels, value = 1) => (labels === undefined ? counter.inc(value) : counter.inc(labels, value)),
    };
    this.#instruments.set(name, { kind: "counter", labelNames: labelNames.join(","), made });
    return made;
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    const existing = this.#existing(name, "histogram", labelNames);
    if (existing) return existing as Histogram;
    const histogram = new PromHistogram({ name, help, labelNames, registers: [this.registry], ...(buckets ? { buckets: [...buckets] } : {}) });
    const made: Histogram = {
      observe: (labels: MetricLabels | undefined, value: number) => (labels === undefined ? histogram.observe(value) : histogram.observe(labels, value)),
    };
    this.#instruments.set(name, { kind: "histogram", labelNames: labelNames.join(","), made });
    return made;
  }

  /** The same name made twice is the same instrument (the port's contract), if it is the same kind with the same labels. */
  #existing(name: string, kind: Instrument["kind"], labelNames: readonly string[]): Counter | Histogram | undefined {
    const existing = this.#instruments.get(name);
    if (!existing) return undefined;
    if (existing.kind !== kind || existing.labelNames !== labelNames.join(",")) {
      throw new TypeError(`metric "${name}" exists as a ${existing.kind} with labels [${existing.labelNames}]; asked for a ${kind} with labels [${labelNames.join(",")}]`);
    }
    return existing.made;
  }
}

import { Registry, collectDefaultMetrics } from "prom-client";
import type { Counter, Histogram, Metrics } from "pico-ioc";
import type { MetricsExposition } from "pico-hono";
import { FastCounter, FastHistogram } from "./instruments.js";

/** prom-client's default buckets (seconds), for a histogram made without its own. */
const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The METRICS port on prom-client, with a Registry of this Application's own: never prom-client's
 * global one, so two Applications in one process neither share nor clash. Loaded (with prom-client)
 * only when `web.metrics` is on. prom-client renders the text and collects Node's process metrics
 * (CPU, memory, event loop lag, GC); the port's instruments are the lighter ones of instruments.ts.
 */
export class PromMetrics implements Metrics, MetricsExposition {
  readonly registry = new Registry();
  readonly #instruments = new Map<string, { readonly labelNames: string; readonly made: FastCounter | FastHistogram }>();

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
    return this.#made(name, "counter", labelNames, () => new FastCounter(name, help, labelNames)) as FastCounter;
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DEFAULT_BUCKETS): Histogram {
    return this.#made(name, "histogram", labelNames, () => new FastHistogram(name, help, labelNames, buckets)) as FastHistogram;
  }

  /** The same name made twice is the same instrument (the port's contract), if it is the same kind with the same labels. */
  #made(name: string, type: "counter" | "histogram", labelNames: readonly string[], make: () => FastCounter | FastHistogram): FastCounter | FastHistogram {
    const existing = this.#instruments.get(name);
    if (existing) {
      if (existing.made.type !== type || existing.labelNames !== labelNames.join(",")) {
        throw new TypeError(`metric "${name}" exists as a ${existing.made.type} with labels [${existing.labelNames}]; asked for a ${type} with labels [${labelNames.join(",")}]`);
      }
      return existing.made;
    }
    const made = make();
    // Also fails on a name prom-client's own process metrics use.
    this.registry.registerMetric(made as never);
    this.#instruments.set(name, { labelNames: labelNames.join(","), made });
    return made;
  }
}

import type { Counter, Histogram, MetricLabels } from "pico-ioc";

/**
 * Counters and histograms for the hot path, registered in a prom-client Registry as custom metrics
 * (prom-client renders them, and an AggregatorRegistry can sum them across workers).
 *
 * Why not prom-client's own: its `observe`/`inc` validate the labels, build a hash string from them
 * and key buckets by the bound's decimal text, on every call: about 1.3 µs per request for the
 * request-duration histogram, a third of the whole budget the issue allows a cached GET. Here a
 * sample is found through one map per label (the label values are the same string objects request
 * after request) and counted into a typed array: well under 0.2 µs. Labels are checked when a new
 * series is made, not on every call.
 */
abstract class Instrument<S> {
  readonly aggregator = "sum";
  readonly #labelNames: readonly string[];
  /** One level per label name; the last level's values are series. */
  readonly #root = new Map<string, unknown>();
  #unlabelled: S | undefined;
  readonly #all: { readonly labels: MetricLabels; readonly series: S }[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new TypeError(`metric name expected [a-zA-Z_:][a-zA-Z0-9_:]*, got ${JSON.stringify(name)}`);
    const bad = labelNames.find((label) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label) || label.startsWith("__") || label === "le");
    if (bad !== undefined) throw new TypeError(`metric "${name}": label name expected [a-zA-Z_][a-zA-Z0-9_]* (not "le", not "__..."), got ${JSON.stringify(bad)}`);
    this.#labelNames = [...labelNames];
  }

  protected abstract newSeries(): S;

  protected series(labels: MetricLabels | undefined): S {
    const names = this.#labelNames;
    if (names.length === 0) {
      if (labels !== undefined && Object.keys(labels).length > 0) throw this.#labelError(labels);
      return (this.#unlabelled ??= this.#made({}));
    }
    if (labels === undefined) throw this.#labelError({});
    let level = this.#root;
    const last = names.length - 1;
    for (let i = 0; i < last; i++) {
      const value = labels[names[i] as string] as string;
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const value = labels[names[last] as string] as string;
    let series = level.get(value) as S | undefined;
    if (series === undefined) {
      series = this.#made(labels);
      level.set(value, series);
    }
    return series;
  }

  /** Every series with its labels, in creation order. */
  protected entries(): readonly { readonly labels: MetricLabels; readonly series: S }[] {
    return this.#all;
  }

  #made(labels: MetricLabels): S {
    const names = this.#labelNames;
    const keys = Object.keys(labels);
    if (keys.length !== names.length || names.some((name) => typeof labels[name] !== "string")) throw this.#labelError(labels);
    const series = this.newSeries();
    this.#all.push({ labels: Object.freeze(Object.fromEntries(names.map((n) => [n, labels[n] as string]))), series });
    return series;
  }

  #labelError(labels: MetricLabels): TypeError {
    return new TypeError(`metric "${this.name}": labels expected exactly [${this.#labelNames.join(", ")}] as strings, got ${JSON.stringify(labels)}`);
  }
}

interface CounterSeries {
  value: number;
}

export class FastCounter extends Instrument<CounterSeries> implements Counter {
  readonly type = "counter";

  protected newSeries(): CounterSeries {
    return { value: 0 };
  }

  inc(labels?: MetricLabels, value = 1): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) throw new TypeError(`metric "${this.name}": inc expected a finite number >= 0, got ${value}`);
    this.series(labels).value += value;
  }

  /** What prom-client's Registry renders. */
  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: MetricLabels; value: number }[] } {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.entries().map(({ labels, series }) => ({ labels, value: series.value })) };
  }
}

interface HistogramSeries {
  /** Per bucket (the last one: above every bound), not cumulative. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram extends Instrument<HistogramSeries> implements Histogram {
  readonly type = "histogram";
  readonly #bounds: Float64Array;

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] as number)))) {
      throw new TypeError(`metric "${name}": buckets expected finite numbers in increasing order, got ${JSON.stringify(buckets)}`);
    }
    this.#bounds = Float64Array.from(buckets);
  }

  protected newSeries(): HistogramSeries {
    return { counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
  }

  observe(labels: MetricLabels | undefined, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`metric "${this.name}": observe expected a finite number, got ${value}`);
    const series = this.series(labels);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    series.counts[i] = (series.counts[i] as number) + 1;
    series.sum += value;
    series.count++;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: MetricLabels; value: number; metricName: string }[] } {
    const values: { labels: MetricLabels; value: number; metricName: string }[] = [];
    for (const { labels, series } of this.entries()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({ labels: { ...labels, le: String(bound) }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...labels, le: "+Inf" }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

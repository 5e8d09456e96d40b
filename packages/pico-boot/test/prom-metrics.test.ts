import { describe, expect, it } from "vitest";
import { PromMetrics } from "../src/metrics/prom-metrics.js";

/** The lines of `text` that start with `name` (its samples), without the HELP/TYPE comments. */
const samples = (text: string, name: string) => text.split("\n").filter((l) => l.startsWith(name));

describe("PromMetrics (the METRICS port on prom-client)", () => {
  it("a histogram renders cumulative buckets, +Inf, sum and count per label set, in Prometheus text", async () => {
    const metrics = new PromMetrics();
    const h = metrics.histogram("t_duration_seconds", "A test", ["op"], [0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe({ op: "read" }, v);
    h.observe({ op: "write" }, 2);
    const text = await metrics.text();
    expect(text).toContain("# HELP t_duration_seconds A test\n# TYPE t_duration_seconds histogram");
    expect(samples(text, "t_duration_seconds")).toEqual([
      't_duration_seconds_bucket{op="read",le="0.1"} 2',
      't_duration_seconds_bucket{op="read",le="1"} 3',
      't_duration_seconds_bucket{op="read",le="+Inf"} 4',
      't_duration_seconds_sum{op="read"} 3.65',
      't_duration_seconds_count{op="read"} 4',
      't_duration_seconds_bucket{op="write",le="0.1"} 0',
      't_duration_seconds_bucket{op="write",le="1"} 0',
      't_duration_seconds_bucket{op="write",le="+Inf"} 1',
      't_duration_seconds_sum{op="write"} 2',
      't_duration_seconds_count{op="write"} 1',
    ]);
  });

  it("counters with and without labels; label values are escaped", async () => {
    const metrics = new PromMetrics();
    const plain = metrics.counter("t_refreshes_total", "Refreshes");
    const byResult = metrics.counter("t_lookups_total", "Lookups", ["result"]);
    plain.inc();
    plain.inc(undefined, 2);
    byResult.inc({ result: 'a "quoted"\nvalue' });
    const text = await metrics.text();
    expect([...samples(text, "t_refreshes_total"), ...samples(text, "t_lookups_total")]).toEqual(["t_refreshes_total 3", 't_lookups_total{result="a \\"quoted\\"\\nvalue"} 1']);
  });

  it("the same name twice is the same instrument; another kind or other labels under it, or a process metric's name, is refused", () => {
    const metrics = new PromMetrics();
    const first = metrics.counter("t_total", "x", ["a"]);
    expect(metrics.counter("t_total", "x", ["a"])).toBe(first);
    expect(() => metrics.histogram("t_total", "x", ["a"])).toThrow('metric "t_total" exists as a counter with labels [a]; asked for a histogram with labels [a]');
    expect(() => metrics.counter("t_total", "x", ["b"])).toThrow(TypeError);
    expect(() => metrics.counter("process_cpu_user_seconds_total", "x")).toThrow("already been registered");
  });

  it("refuses wrong labels (missing, extra, not strings), bad names and values", () => {
    const metrics = new PromMetrics();
    const h = metrics.histogram("t_seconds", "x", ["method", "route"]);
    expect(() => h.observe({ method: "GET" }, 1)).toThrow('labels expected exactly [method, route] as strings, got {"method":"GET"}');
    expect(() => h.observe({ method: "GET", route: "/", status: "200" }, 1)).toThrow(TypeError);
    expect(() => h.observe(undefined, 1)).toThrow(TypeError);
    expect(() => h.observe({ method: "GET", route: "/" }, Number.NaN)).toThrow("observe expected a finite number, got NaN");
    expect(() => metrics.counter("t_c_total", "x").inc(undefined, -1)).toThrow("inc expected a finite number >= 0, got -1");
    expect(() => metrics.counter("bad-name", "x")).toThrow("metric name expected");
    expect(() => metrics.counter("t_le_total", "x", ["le"])).toThrow("label name expected");
    expect(() => metrics.histogram("t_b_seconds", "x", [], [1, 0.5])).toThrow("buckets expected finite numbers in increasing order");
  });

  it("two instances are two registries: the same name in both, counted apart", async () => {
    const [a, b] = [new PromMetrics(), new PromMetrics()];
    a.counter("t_total", "x").inc();
    b.counter("t_total", "x").inc(undefined, 5);
    expect([samples(await a.text(), "t_total"), samples(await b.text(), "t_total")]).toEqual([["t_total 1"], ["t_total 5"]]);
  });
});

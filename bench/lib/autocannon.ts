/**
 * One load run with autocannon (in this process), measured by the harness itself: every response's
 * latency (float ms, autocannon's own histogram keeps whole milliseconds) and status, throughput as
 * responses over the time from start to the last response, and this process's CPU meanwhile.
 * Used where wrk cannot serve: a fixed number of requests, each with a body of its own (sign-in).
 */
import autocannon from "autocannon";
import { CONNECTIONS, PIPELINING, REQUEST_TIMEOUT_S } from "./load.js";
import type { LoadSpec, Measured } from "./load.js";
import { HarnessError } from "./proc.js";
import { percentile } from "./stats.js";

class Samples {
  #data = new Float64Array(1 << 16);
  #n = 0;
  push(v: number): void {
    if (this.#n === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#n++] = v;
  }
  sorted(): Float64Array {
    return this.#data.slice(0, this.#n).sort();
  }
}

export function runAutocannon(spec: LoadSpec): Promise<Measured> {
  const { next } = spec;
  const base: autocannon.Request = {
    method: spec.method ?? "GET",
    path: spec.path,
    headers: { ...(spec.body !== undefined || spec.method === "POST" ? { "content-type": "application/json" } : {}), ...spec.headers },
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  };
  const request: autocannon.Request = next
    ? {
        ...base,
        setupRequest: (req) => {
          const n = next();
          return { ...req, headers: { ...base.headers, ...n.headers }, ...(n.body !== undefined ? { body: n.body } : {}) };
        },
      }
    : base;
  const expected = new Set(spec.expect ?? [200]);
  const latencies = new Samples();
  const steady = new Samples();
  const seen = new WeakSet<object>();
  const statuses: Record<number, number> = {};
  let count = 0;
  let last = 0;
  let errors = 0;
  let firstError: Error | undefined;

  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${spec.port}`,
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        // Generous: a saturated Node server can leave a new connection's first request waiting for seconds.
        timeout: REQUEST_TIMEOUT_S,
        // Finer than the 1 s default, so an `amount` run reports soon after its last response.
        sampleInt: 100,
        ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.seconds ?? 1 }),
        requests: [request],
      },
      (error) => {
        if (error) return reject(error);
        const wall = (last > start ? last : performance.now()) - start;
        const cpu = process.cpuUsage(cpu0);
        const unexpected = Object.entries(statuses).filter(([s]) => !expected.has(Number(s)));
        if (errors > 0 || unexpected.length > 0 || count === 0) {
          return reject(
            new HarnessError(
              `load on ${spec.method ?? "GET"} ${spec.path}: ${count} responses, statuses ${JSON.stringify(statuses)}, ${errors} connection errors${firstError ? ` (${firstError.message})` : ""}; expected only ${[...expected].join("/")}`,
            ),
          );
        }
        const sorted = latencies.sorted();
        resolve({
          requests: count,
          seconds: wall / 1000,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          p99Steady: percentile(steady.sorted(), 0.99),
          statuses,
          generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
        });
      },
    );
    instance.on("response", (client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (seen.has(client as object)) steady.push(responseTime);
      else seen.add(client as object);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      count++;
      last = performance.now();
    });
    instance.on("reqError", (error) => {
      errors++;
      firstError ??= error;
    });
  });
}

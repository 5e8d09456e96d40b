/**
 * One load run with autocannon, measured by the harness itself: every response's latency (float ms,
 * autocannon's own histogram keeps whole milliseconds) and status, throughput as responses over the
 * time from start to the last response, and the CPU used by the server and by this process.
 */
import autocannon from "autocannon";
import { HarnessError, cpuSeconds, cpuSince, machineBusySeconds, matchingCpu, treeCpuSeconds } from "./proc.js";
import { percentile } from "./stats.js";

/** The load generator settings, the same for every HTTP case (sign-in included). */
export const CONNECTIONS = 50;
export const PIPELINING = 1;
/** A request unanswered for this long fails the run (autocannon would resend it, which sign-in bodies cannot survive). */
export const REQUEST_TIMEOUT_S = 30;

export interface LoadSpec {
  readonly port: number;
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Per-request headers/body; called once per request built. */
  readonly next?: () => { headers?: Record<string, string>; body?: string };
  /** Seconds to run; or `amount`, a fixed number of requests. */
  readonly seconds?: number;
  readonly amount?: number;
  /** Statuses that count as success; anything else fails the run (a harness error). Default [200]. */
  readonly expect?: readonly number[];
  /** Server pid, for its CPU use. */
  readonly serverPid?: number;
  /** Count the CPU of the server's descendants too (a cluster primary and its workers). */
  readonly serverTree?: boolean;
  /** Marks of the command lines of the database processes serving this server (see `matchingCpu`): their CPU is the store's, not "other". */
  readonly storeMarks?: readonly string[];
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** p99 without the first response of each connection (new connections are set up per run). */
  readonly p99Steady: number;
  readonly statuses: Readonly<Record<number, number>>;
  /** CPU seconds per wall second: 1.0 = one core busy. */
  readonly serverCpu: number;
  readonly loadCpu: number;
  /** The database processes named by `storeMarks` (0 without). */
  readonly storeCpu: number;
  /** The rest of the machine (other processes, the kernel's share not charged to these two). */
  readonly otherCpu: number;
}

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

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
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
    const serverCpuSeconds = (pid: number) => (spec.serverTree ? treeCpuSeconds(pid) : cpuSeconds(pid));
    const server0 = spec.serverPid !== undefined ? serverCpuSeconds(spec.serverPid) : 0;
    const store0 = matchingCpu(spec.storeMarks ?? []);
    // After the /proc scans above: they are the harness's bookkeeping, not load generation.
    const cpu0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
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
        const elapsed = (performance.now() - start) / 1000;
        const serverCpu = spec.serverPid !== undefined ? (serverCpuSeconds(spec.serverPid) - server0) / elapsed : 0;
        const loadCpu = (cpu.user + cpu.system) / 1e6 / elapsed;
        const storeCpu = cpuSince(store0, matchingCpu(spec.storeMarks ?? [])) / elapsed;
        const otherCpu = Math.max(0, (machineBusySeconds() - busy0) / elapsed - serverCpu - loadCpu - storeCpu);
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
          rps: count / (wall / 1000),
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          p99Steady: percentile(steady.sorted(), 0.99),
          statuses,
          serverCpu,
          loadCpu,
          storeCpu,
          otherCpu,
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

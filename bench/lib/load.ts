/**
 * One load run against one server, and what every section records of it. Two load generators:
 * wrk (Debian's package; C, epoll, one thread), for every high-rate case, because autocannon needs
 * two to three times wrk's CPU per request and saturates its own core before a fast server does
 * (docs/performance.md, "Load generator"); and autocannon, through its API, for what wrk cannot do:
 * a fixed number of requests, each body used once (sign-in, a few hundred per second).
 */
import { runAutocannon } from "./autocannon.js";
import { cpuSeconds, cpuSince, machineBusySeconds, matchingCpu, treeCpuSeconds } from "./proc.js";
import { runWrk } from "./wrk.js";

/** The load generator settings, the same for every case and both generators. */
export const CONNECTIONS = 50;
export const PIPELINING = 1;
/** A request unanswered for this long fails the run. */
export const REQUEST_TIMEOUT_S = 30;

export type Generator = "wrk" | "autocannon";

export interface LoadSpec {
  readonly port: number;
  readonly method?: "GET" | "POST";
  readonly path: string;
  /** Headers of every request. */
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /**
   * wrk: one header whose value changes per request, cycled in order from `values` ("" = header
   * absent), starting at `start` (pass the previous run's `next` to continue where it stopped).
   */
  readonly perRequest?: { readonly header: string; readonly values: readonly string[]; readonly start?: number };
  /** autocannon only: per-request headers/body, called once per request built. */
  readonly next?: () => { headers?: Record<string, string>; body?: string };
  /** Seconds to run; or (autocannon only) `amount`, a fixed number of requests. */
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
  /** The default: wrk, unless the spec needs autocannon (`next` or `amount`). */
  readonly generator?: Generator;
}

export interface LoadResult {
  readonly generator: Generator;
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** p99 without the first response of each connection (autocannon only; NaN with wrk, whose latency histogram does not say). */
  readonly p99Steady: number;
  readonly statuses: Readonly<Record<number, number>>;
  /** CPU seconds per wall second: 1.0 = one core busy. */
  readonly serverCpu: number;
  /** The load generator: wrk's process, or this process when autocannon runs in it. */
  readonly loadCpu: number;
  /** The database processes named by `storeMarks` (0 without). */
  readonly storeCpu: number;
  /** The rest of the machine (other processes, the kernel's share not charged to these two). */
  readonly otherCpu: number;
  /** wrk with `perRequest`: where the next run should start to continue the cycle. */
  readonly next?: number;
}

/** What a generator measured itself; the CPU columns are added around it by `runLoad`. */
export interface Measured {
  readonly requests: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly p99Steady: number;
  readonly statuses: Readonly<Record<number, number>>;
  /** CPU seconds the generator used (wrk: its own process; autocannon: this process). */
  readonly generatorCpuSeconds: number;
  readonly next?: number;
}

export function generatorOf(spec: LoadSpec): Generator {
  const needsAutocannon = spec.next !== undefined || spec.amount !== undefined;
  const generator = spec.generator ?? (needsAutocannon ? "autocannon" : "wrk");
  if (generator === "wrk" && needsAutocannon) throw new Error("wrk runs for a duration with a cycle of values: `next` and `amount` need autocannon");
  if (generator === "autocannon" && spec.perRequest) throw new Error("`perRequest` is wrk's; give autocannon `next`");
  return generator;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const generator = generatorOf(spec);
  const serverCpuSeconds = (pid: number) => (spec.serverTree ? treeCpuSeconds(pid) : cpuSeconds(pid));
  const server0 = spec.serverPid !== undefined ? serverCpuSeconds(spec.serverPid) : 0;
  const store0 = matchingCpu(spec.storeMarks ?? []);
  // After the /proc scans above: they are the harness's bookkeeping, not load generation.
  const busy0 = machineBusySeconds();
  const start = performance.now();
  const m = generator === "wrk" ? await runWrk(spec) : await runAutocannon(spec);
  const elapsed = (performance.now() - start) / 1000;
  const serverCpu = spec.serverPid !== undefined ? (serverCpuSeconds(spec.serverPid) - server0) / elapsed : 0;
  const loadCpu = m.generatorCpuSeconds / elapsed;
  const storeCpu = cpuSince(store0, matchingCpu(spec.storeMarks ?? [])) / elapsed;
  const otherCpu = Math.max(0, (machineBusySeconds() - busy0) / elapsed - serverCpu - loadCpu - storeCpu);
  return {
    generator,
    requests: m.requests,
    seconds: m.seconds,
    rps: m.requests / m.seconds,
    p50: m.p50,
    p99: m.p99,
    p99Steady: m.p99Steady,
    statuses: m.statuses,
    serverCpu,
    loadCpu,
    storeCpu,
    otherCpu,
    ...(m.next !== undefined ? { next: m.next } : {}),
  };
}

/**
 * Child processes: servers pinned to one core (`taskset -c`), this process (the load generator)
 * pinned to the other, readiness by polling HTTP, RSS and CPU read from /proc.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";

export class HarnessError extends Error {}

export interface Pinning {
  readonly taskset: boolean;
  readonly serverCore?: number;
  readonly loadCore?: number;
  /** Every core, for children that may use them all (token minting before the measured runs). */
  readonly allCores?: string;
  readonly note: string;
}

/** Pins this process (all its threads) to the last core and reserves core 0 for servers, when taskset works and there are >= 2 cores. */
export function pinCores(): Pinning {
  const cores = availableParallelism();
  const probe = spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) return { taskset: false, note: "no (taskset not available: server and load generator share the cores)" };
  if (cores < 2) return { taskset: false, note: `no (${cores} core: server and load generator share it)` };
  const loadCore = cores - 1;
  const pinned = spawnSync("taskset", ["-a", "-p", "-c", String(loadCore), String(process.pid)], { stdio: "ignore" });
  if (pinned.status !== 0) return { taskset: false, note: "no (taskset could not pin this process)" };
  return { taskset: true, serverCore: 0, loadCore, allCores: `0-${loadCore}`, note: `yes (servers on core 0, load generator on core ${loadCore})` };
}

/** Environment for a child: ours, less anything that would configure the servers behind our back. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(SERVER_AUTH__|AUTH_CLIENT__|WEB__|PICO_)/.test(k) || k === "PORT" || k === "HOST" || k === "NODE_OPTIONS" || k === "WORKERS") continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL): for the exit path. */
export function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

export interface SpawnOptions {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
  readonly pinning: Pinning;
  readonly cwd?: string;
  readonly nodeArgs?: readonly string[];
  /** "server" (default): the server core; "all": every core (children inherit this process's pinning otherwise); or a taskset CPU list. */
  readonly cores?: string;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last few KiB of stdout and stderr, for error messages. */
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnNode(options: SpawnOptions): Child {
  const args = [...(options.nodeArgs ?? []), options.script];
  const { pinning } = options;
  const cores = options.cores ?? "server";
  const cpuList = cores === "all" ? pinning.allCores : cores === "server" ? (pinning.serverCore !== undefined ? String(pinning.serverCore) : undefined) : cores;
  // taskset execs node: the pid we get is node's, so /proc/<pid> is the server's.
  const [command, argv] = pinning.taskset && cpuList ? ["taskset", ["-c", cpuList, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command as string, argv as string[], { env: cleanEnv(options.env), cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new HarnessError(`${options.name}: spawn failed`);
  live.add(child);
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4096);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      live.delete(child);
      resolve();
    });
  });
  return {
    name: options.name,
    pid: child.pid,
    process: child,
    output: () => tail,
    exited: () => done,
    async stop(graceMs = 3000) {
      if (done) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** One GET; resolves with the status, or undefined when the connection failed. */
export function get(port: number, path: string, timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/**
 * Polls `GET path` until it answers 200; returns the milliseconds since `since` (performance.now()).
 * Fails when the child exits or `timeoutMs` passes.
 */
export async function waitFor200(child: Child, port: number, path: string, since: number, timeoutMs = 30_000): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    const status = await get(port, path);
    if (status === 200) return performance.now() - since;
    if (child.exited()) throw new HarnessError(`${child.name} exited before answering 200 on ${path}:\n${child.output()}`);
    if (performance.now() > deadline) throw new HarnessError(`${child.name}: no 200 on ${path} within ${timeoutMs} ms (last: ${status ?? "no connection"}):\n${child.output()}`);
    await new Promise((r) => setTimeout(r, status === undefined ? 2 : 10));
  }
}

/** VmRSS of a process in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kib === undefined) throw new HarnessError(`no VmRSS for pid ${pid}`);
  return Number(kib);
}

const CLK_TCK = (() => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(out.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] as string;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number) as number[];
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLK_TCK;
}

/** The filesystem type a path lives on (longest mount-point prefix in /proc/mounts). */
export function fsTypeOf(path: string): string {
  let best = { mount: "", type: "unknown" };
  for (const line of readFileSync("/proc/mounts", "utf8").split("\n")) {
    const [, mount, type] = line.split(" ");
    if (mount && type && (path === mount || path.startsWith(mount.endsWith("/") ? mount : `${mount}/`)) && mount.length > best.mount.length) best = { mount, type };
  }
  return best.type;
}

/** User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  if (!f) throw new HarnessError(`no /proc/${pid}/stat: the process is gone`);
  return f.cpu;
}

/** Parent pid and CPU seconds of a process, or undefined when it is gone. */
function statFields(pid: number): { ppid: number; cpu: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
}

const pids = (): number[] => readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);

/**
 * CPU seconds of a process and of every live descendant: a server run with WORKERS=N is a cluster
 * primary and its workers. A process that exited meanwhile is not counted (the servers' workers live
 * as long as the run).
 */
export function treeCpuSeconds(root: number): number {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const pid of pids()) {
    const f = statFields(pid);
    if (!f) continue;
    cpu.set(pid, f.cpu);
    children.set(f.ppid, [...(children.get(f.ppid) ?? []), pid]);
  }
  let total = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    total += cpu.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/**
 * CPU seconds, per pid, of the processes whose command line contains one of `marks`: a database
 * server's processes serving this run (PostgreSQL shows each connection's database in its backend's
 * command line; Redis is one process). Compare two snapshots with `cpuSince`.
 */
export function matchingCpu(marks: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  if (marks.length === 0) return out;
  for (const pid of pids()) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (!marks.some((m) => cmdline.includes(m))) continue;
    const f = statFields(pid);
    if (f) out.set(pid, f.cpu);
  }
  return out;
}

/** CPU seconds used between two `matchingCpu` snapshots (a process started meanwhile counts from 0). */
export function cpuSince(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/** Helpers shared by the sections: summaries of rounds, table cells, profiles, starting bench servers. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { LoadResult } from "../lib/load.js";
import { freePort, spawnNode, waitFor200 } from "../lib/proc.js";
import type { Pinning } from "../lib/proc.js";
import { topSelfTime } from "../lib/profile.js";
import { pct, ratio } from "../lib/report.js";
import type { Running } from "../lib/seed.js";
import { max, median, min } from "../lib/stats.js";
import type { BenchContext } from "./context.js";

/** Log lines to stderr, stamped with the seconds since `started` (a performance.now() value). */
export function logger(started: number): (msg: string) => void {
  return (msg) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
}

export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

export function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length] as T;
}

export interface Summary {
  readonly rps: number;
  readonly rpsMin: number;
  readonly rpsMax: number;
  readonly p50: number;
  readonly p99: number;
  readonly p99Steady: number;
  readonly serverCpu: number;
  readonly loadCpu: number;
  readonly storeCpu: number;
  readonly otherCpu: number;
  readonly requests: number;
}

export function summarise(runs: readonly LoadResult[]): Summary {
  const rps = runs.map((r) => r.rps);
  return {
    rps: median(rps),
    rpsMin: min(rps),
    rpsMax: max(rps),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p99Steady: median(runs.map((r) => r.p99Steady)),
    serverCpu: median(runs.map((r) => r.serverCpu)),
    loadCpu: median(runs.map((r) => r.loadCpu)),
    storeCpu: median(runs.map((r) => r.storeCpu)),
    otherCpu: median(runs.map((r) => r.otherCpu)),
    requests: runs.reduce((n, r) => n + r.requests, 0),
  };
}

/** Median over rounds of (a ÷ b measured in the same round). */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / (b[i] as number)));
}

/** A ratio with enough digits that it cannot read as meeting a target it misses (0.6955 is not "0.70"). */
export function ratioVs(value: number, target: number): string {
  return Math.abs(value - target) < 0.005 && Number.isFinite(value) ? `${value.toFixed(3)}×` : ratio(value);
}

export function repeatNote(ctx: BenchContext, repeats: number): string {
  if (ctx.maxRepeats === 0) return "Quick mode runs no round again: the \"other\" CPU column shows how much other processes disturbed it.";
  return repeats === 0 ? "No round was disturbed by other processes." : `${repeats} round(s) run again because other processes used more than ${pct(ctx.disturbed)} of a core meanwhile.`;
}

export function cpuCell(s: Summary): string {
  return `${pct(s.serverCpu)} / ${pct(s.loadCpu)} / ${pct(s.otherCpu)}`;
}

/** Stops a server started with profArgs(ctx, server) and renders its profile. */
export async function profileOf(ctx: BenchContext, server: string, running: Running): Promise<string> {
  await running.child.stop(10_000);
  const dir = join(ctx.resultsDir, `cpu-prof-${ctx.stamp}`, server);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((f) => `\n\nCPU profile of ${server} over this section (\`${join("bench/results", `cpu-prof-${ctx.stamp}`, server, f)}\`, includes its boot):\n\n${topSelfTime(join(dir, f), 25, ctx.repo)}`)
    .join("");
}

/** `node --cpu-prof` arguments for one server when --cpu-prof is given. */
export function profArgs(ctx: BenchContext, server: string): { nodeArgs?: string[] } {
  return ctx.cpuProf ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${join(ctx.resultsDir, `cpu-prof-${ctx.stamp}`, server)}`] } : {};
}

/** Starts one of bench/servers (compiled) on a free port and waits for its `GET /hello`. */
export async function startScript(ctx: BenchContext, name: string, script: string, pinning: Pinning, env: Record<string, string> = {}, nodeArgs: { nodeArgs?: string[] } = {}): Promise<Running> {
  const port = await freePort();
  const child = spawnNode({ name, script: join(ctx.repo, "bench/dist/servers", script), env: { PORT: String(port), ...env }, pinning, ...nodeArgs });
  await waitFor200(child, port, "/hello", performance.now());
  return { child, port, url: `http://127.0.0.1:${port}` };
}

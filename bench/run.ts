/**
 * The benchmark harness: `pnpm bench` (full, about 14 min), `pnpm bench --medium` (shorter rounds,
 * for a table per runtime) or `pnpm bench --quick` (about 90 s).
 * Everything is measured in this one run, side by side, with the same load-generator settings; the
 * servers run as child processes on core 0, the load generator (wrk, or autocannon in this process
 * for sign-in) on the last core.
 * Prints Markdown tables and writes them to bench/results/<timestamp>-<mode>-node<version>.md (+ .json).
 * Exit code 0 even when a target is missed (the tables say so); non-zero only on harness errors.
 * See docs/performance.md for the method.
 *
 * Options (the tables in docs/performance.md name the command that made them; issue 18's per-runtime
 * tables come from `--medium --only=http,signin,boot --node=24` and `--node=20`):
 *   --quick                  shorter rounds, same table shape
 *   --medium                 rounds between quick and full: the per-runtime tables (docs/performance.md)
 *   --node=<major|exact|path>  (or env PICO_BENCH_NODE) run the servers, and this harness, under that Node
 *   --rounds=N --seconds=S   override the rounds and seconds per run of the HTTP, sign-in and scale sections
 *   --only=boot,http,signin,memory,scale   run only these sections (scale: issue 16, workers and stores;
 *                            its PostgreSQL rows need the machine's PostgreSQL, else they are skipped)
 *   --http-cases=bare,als,hit,metrics,accesslog,jose,verify   only these HTTP cases
 *   --cpu-prof               run the servers of the HTTP and sign-in sections under `node --cpu-prof`;
 *                            their top functions go into the report (profiles under bench/results/cpu-prof-<timestamp>/)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HarnessError, killAll, pinCores } from "./lib/proc.js";
import type { Pinning } from "./lib/proc.js";
import { int } from "./lib/report.js";
import { requestedRuntime, rerunUnder, resolveRuntime, sameBinary } from "./lib/runtime.js";
import { wrkCleanup, wrkVersion } from "./lib/wrk.js";
import { DEFAULT_TOKEN_CACHE_SIZE, seedMain } from "./lib/seed.js";
import { bootSection } from "./sections/boot.js";
import { logger } from "./sections/common.js";
import type { BenchContext, Section, Settings } from "./sections/context.js";
import { httpSection } from "./sections/http.js";
import { memorySection } from "./sections/memory.js";
import { scaleSection } from "./sections/scale.js";
import { signInSection } from "./sections/signin.js";
const repo = fileURLToPath(new URL("../..", import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const MEDIUM = args.includes("--medium");
const MODE = QUICK ? "quick" : MEDIUM ? "medium" : "full";
const CPU_PROF = args.includes("--cpu-prof");
const valueArg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const listArg = (name: string) => valueArg(name)?.split(",");
const ONLY = listArg("only");
const HTTP_CASES = listArg("http-cases");
const known = new Set(["--quick", "--medium", "--cpu-prof"]);
for (const a of args) {
  if (!known.has(a) && !/^--(only|http-cases|node|rounds|seconds)=/.test(a)) {
    process.stderr.write(`unknown option ${a}; known: --quick, --medium, --cpu-prof, --node=<major|exact|path>, --rounds=N, --seconds=S, --only=boot,http,memory,signin,scale, --http-cases=bare,als,hit,metrics,accesslog,jose,verify\n`);
    process.exit(2);
  }
}
if (QUICK && MEDIUM) {
  process.stderr.write("--quick and --medium: choose one\n");
  process.exit(2);
}
/** A positive number option, or undefined when absent. */
function positive(name: string, integer: boolean): number | undefined {
  const raw = valueArg(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    process.stderr.write(`--${name}=${raw}: expected a positive ${integer ? "integer" : "number"}\n`);
    process.exit(2);
  }
  return n;
}
const ROUNDS = positive("rounds", true);
const SECONDS = positive("seconds", false);
const enabled = (section: string) => !ONLY || ONLY.includes(section);

const PRESETS: Record<typeof MODE, Settings> = {
  // wrk runs whole seconds: 1 s is its shortest run.
  quick: { http: { warmup: 1, rounds: 3, seconds: 1 }, signin: { warmup: 0.2, rounds: 3, seconds: 0.4, bound: 0.15, perConnection: 1.5, diagnostic: false }, boot: { runs: 5, installRuns: 3 }, memory: { warmup: 1, seconds: 7 } },
  // The per-runtime tables of docs/performance.md: http + signin + boot in about 6 minutes.
  medium: { http: { warmup: 2, rounds: 5, seconds: 5 }, signin: { warmup: 1, rounds: 5, seconds: 3, bound: 0.5, perConnection: 2, diagnostic: false }, boot: { runs: 7, installRuns: 5 }, memory: { warmup: 3, seconds: 30 } },
  full: { http: { warmup: 3, rounds: 5, seconds: 10 }, signin: { warmup: 1, rounds: 5, seconds: 4, bound: 0.75, perConnection: 2, diagnostic: true }, boot: { runs: 7, installRuns: 7 }, memory: { warmup: 5, seconds: 60 } },
};
const preset = PRESETS[MODE];
const S: Settings = {
  ...preset,
  http: { ...preset.http, ...(ROUNDS ? { rounds: ROUNDS } : {}), ...(SECONDS ? { seconds: SECONDS } : {}) },
  signin: { ...preset.signin, ...(ROUNDS ? { rounds: ROUNDS } : {}), ...(SECONDS ? { seconds: SECONDS } : {}) },
};
/**
 * The seed app's token cache size for the HTTP and memory instances, set explicitly: the default in
 * the full run; smaller in quick mode, so that fewer tokens need minting (a miss costs the same).
 */
const TOKEN_CACHE_SIZE = QUICK ? 300 : DEFAULT_TOKEN_CACHE_SIZE;
const CACHE_ENV = { AUTH_CLIENT__TOKEN_CACHE_SIZE: String(TOKEN_CACHE_SIZE) };
/**
 * Distinct tokens cycled in order on the verification path: more than the seed's LRU token cache
 * holds (by far more than the 50 requests in flight can reorder), so every request misses it.
 */
const POOL = TOKEN_CACHE_SIZE + Math.max(250, Math.round(TOKEN_CACHE_SIZE * 0.05));
/** Tokens used as the "cached" ones in the memory mix. */
const HOT = QUICK ? 16 : 64;
const WALLETS_PER_ALGORITHM = 8;
/** Issue 18's targets (measured at LOG_LEVEL=warn; the access log is a row of its own), and the earlier issues' others. */
const TARGETS = { hitRps: 0.8, hitP99: 2, metricsOn: 0.95, verify: 1.2, signIn: 0.85, boot: 1.5, rssMiB: 20, workers: 1.6, storeSignIn: 0.7, cachedGet: [0.95, 1.05] as const };
const DEADLINE_S = QUICK ? 360 : MEDIUM ? 1200 : 1800;
/** A round during which other processes used more than this share of a core is run again (at most MAX_REPEATS times per section). */
const DISTURBED = 0.25;
const MAX_REPEATS = QUICK ? 0 : MEDIUM ? 1 : 2;

const started = performance.now();
const loadAtStart = loadavg();
const stamp = new Date().toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
const resultsDir = join(repo, "bench/results");
const log = logger(started);
const cleanup: (() => void)[] = [];

const ctx: BenchContext = {
  repo,
  quick: QUICK,
  cpuProf: CPU_PROF,
  httpCases: HTTP_CASES,
  enabled,
  S,
  targets: TARGETS,
  tokenCacheSize: TOKEN_CACHE_SIZE,
  cacheEnv: CACHE_ENV,
  pool: POOL,
  hot: HOT,
  walletsPerAlgorithm: WALLETS_PER_ALGORITHM,
  disturbed: DISTURBED,
  maxRepeats: MAX_REPEATS,
  resultsDir,
  stamp,
  log,
  cleanup,
  tokenSet: undefined,
  handover: undefined,
};

// ---------------------------------------------------------------- main

function machine(pinning: Pinning, wrk: string | undefined, requested: string | undefined): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const require = createRequire(import.meta.url);
  const autocannonVersion = (JSON.parse(readFileSync(require.resolve("autocannon/package.json"), "utf8")) as { version: string }).version;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repo, encoding: "utf8" }).trim() !== "";
    if (dirty) commit += " + uncommitted changes";
  } catch {
    // not a git checkout
  }
  return [
    `- Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    `- Node ${process.version} served every server and ran the harness (${requested === undefined ? "the default: the Node that ran `pnpm bench`" : `\`--node=${requested}\``}: \`${process.execPath.replace(repo, "")}\`)`,
    `- Load generators: ${wrk ? `${wrk} for the HTTP rates; ` : ""}autocannon ${autocannonVersion} (in the harness process) for sign-in`,
    `- Pinned with taskset: ${pinning.note}`,
    `- Load average (1/5/15 min) at start ${loadAtStart.map((l) => l.toFixed(2)).join(" / ")}, at end ${loadavg().map((l) => l.toFixed(2)).join(" / ")}: other work on the machine shows there and in the "other" CPU columns`,
    `- Date: ${new Date().toISOString()}; mode: ${MODE === "full" ? "full (`pnpm bench`)" : `${MODE} (\`pnpm bench --${MODE}\`)`}${ROUNDS || SECONDS ? ` with${ROUNDS ? ` --rounds=${ROUNDS}` : ""}${SECONDS ? ` --seconds=${SECONDS}` : ""}` : ""}; commit ${commit}`,
  ].join("\n");
}

async function main(requested: string | undefined): Promise<void> {
  const watchdog = setTimeout(() => {
    log(`harness error: still running after ${DEADLINE_S} s, giving up`);
    killAll();
    wrkCleanup();
    process.exit(2);
  }, DEADLINE_S * 1000);
  watchdog.unref();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      wrkCleanup();
      process.exit(130);
    });
  }
  // The HTTP rates, the memory mix and the scale section's cached GET are wrk's: fail before any work without it.
  const wrk = ["http", "memory", "scale"].some(enabled) ? wrkVersion() : undefined;
  const pinning = pinCores();
  log(`mode ${MODE}; Node ${process.version}; taskset: ${pinning.note}`);
  seedMain(repo);
  const sections: Record<string, Section> = {};
  const plan: [string, (ctx: BenchContext, p: Pinning) => Promise<Section>][] = [
    ["boot", bootSection],
    ["http", httpSection],
    ["memory", memorySection],
    ["signin", signInSection],
    ["scale", scaleSection],
  ];
  for (const [name, run] of plan) if (enabled(name)) sections[name] = await run(ctx, pinning);
  const seconds = (performance.now() - started) / 1000;
  const markdown = [
    `# pico-boot benchmark (${MODE}, Node ${process.version})`,
    "",
    machine(pinning, wrk, requested),
    `- Harness time: ${seconds.toFixed(0)} s (plus the build)${ctx.tokenSet ? `; ${int(POOL + HOT)} tokens minted in ${ctx.tokenSet.seconds.toFixed(1)} s` : ""}`,
    "",
    ...["http", "signin", "boot", "memory", "scale"].filter((n) => sections[n]).map((n) => `${(sections[n] as Section).markdown}\n`),
  ].join("\n");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}-${MODE}-node${process.versions.node}`);
  writeFileSync(`${file}.md`, markdown);
  writeFileSync(`${file}.json`, JSON.stringify({ mode: MODE, node: process.version, seconds, settings: S, sections: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.data])) }, null, 2));
  process.stdout.write(`${markdown}\n`);
  log(`written ${file.replace(repo, "")}.md (${seconds.toFixed(0)} s)`);
}

/** With --node (or PICO_BENCH_NODE) naming another runtime, the whole harness runs again under it. */
async function entry(): Promise<void> {
  const requested = requestedRuntime(args, process.env);
  if (requested !== undefined) {
    const node = resolveRuntime(repo, requested);
    if (!sameBinary(node, process.execPath)) {
      process.exitCode = await rerunUnder(node, fileURLToPath(import.meta.url), args);
      return;
    }
  }
  await main(requested);
}

try {
  await entry();
} catch (error) {
  process.stderr.write(`harness error: ${error instanceof HarnessError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  killAll();
  wrkCleanup();
  for (const fn of cleanup) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}

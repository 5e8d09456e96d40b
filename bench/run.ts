/**
 * The benchmark harness: `pnpm bench` (full, about 14 min) or `pnpm bench --quick` (about 90 s).
 * Everything is measured in this one run, side by side, with the same autocannon settings; the
 * servers run as child processes on core 0, this process (the load generator) on the last core.
 * Prints Markdown tables and writes them to bench/results/<timestamp>-<mode>.md (+ .json).
 * Exit code 0 even when a target is missed (the tables say so); non-zero only on harness errors.
 * See docs/performance.md for the method.
 *
 * Options (for development; the published tables come from the plain command):
 *   --quick                  shorter rounds, same table shape
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
const CPU_PROF = args.includes("--cpu-prof");
const listArg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(",");
const ONLY = listArg("only");
const HTTP_CASES = listArg("http-cases");
const known = new Set(["--quick", "--cpu-prof"]);
for (const a of args) {
  if (!known.has(a) && !/^--(only|http-cases)=/.test(a)) {
    process.stderr.write(`unknown option ${a}; known: --quick, --cpu-prof, --only=boot,http,memory,signin,scale, --http-cases=bare,als,hit,metrics,accesslog,jose,verify\n`);
    process.exit(2);
  }
}
const enabled = (section: string) => !ONLY || ONLY.includes(section);

const S: Settings = QUICK
  ? { http: { warmup: 0.3, rounds: 3, seconds: 0.8 }, signin: { warmup: 0.2, rounds: 3, seconds: 0.4, bound: 0.15, perConnection: 1.5, diagnostic: false }, boot: { runs: 5, installRuns: 3 }, memory: { warmup: 0.5, seconds: 7 } }
  : { http: { warmup: 3, rounds: 5, seconds: 10 }, signin: { warmup: 1, rounds: 5, seconds: 4, bound: 0.75, perConnection: 2, diagnostic: true }, boot: { runs: 7, installRuns: 7 }, memory: { warmup: 5, seconds: 60 } };
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
const TARGETS = { hitRps: 0.8, hitP99: 2, metricsOn: 0.95, verify: 0.9, signIn: 0.7, boot: 1.5, rssMiB: 20, workers: 1.6, storeSignIn: 0.7, cachedGet: [0.95, 1.05] as const };
const DEADLINE_S = QUICK ? 360 : 1800;
/** A round during which other processes used more than this share of a core is run again (at most MAX_REPEATS times per section). */
const DISTURBED = 0.25;
const MAX_REPEATS = QUICK ? 0 : 2;

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

function machine(pinning: Pinning): string {
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
    `- Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}; Node ${process.version}; autocannon ${autocannonVersion}`,
    `- Pinned with taskset: ${pinning.note}`,
    `- Load average (1/5/15 min) at start ${loadAtStart.map((l) => l.toFixed(2)).join(" / ")}, at end ${loadavg().map((l) => l.toFixed(2)).join(" / ")}: other work on the machine shows there and in the "other" CPU columns`,
    `- Date: ${new Date().toISOString()}; mode: ${QUICK ? "quick (`pnpm bench --quick`)" : "full (`pnpm bench`)"}; commit ${commit}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log(`harness error: still running after ${DEADLINE_S} s, giving up`);
    killAll();
    process.exit(2);
  }, DEADLINE_S * 1000);
  watchdog.unref();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  const pinning = pinCores();
  log(`mode ${QUICK ? "quick" : "full"}; taskset: ${pinning.note}`);
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
    `# pico-boot benchmark (${QUICK ? "quick" : "full"})`,
    "",
    machine(pinning),
    `- Harness time: ${seconds.toFixed(0)} s (plus the build)${ctx.tokenSet ? `; ${int(POOL + HOT)} tokens minted in ${ctx.tokenSet.seconds.toFixed(1)} s` : ""}`,
    "",
    ...["http", "signin", "boot", "memory", "scale"].filter((n) => sections[n]).map((n) => `${(sections[n] as Section).markdown}\n`),
  ].join("\n");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}-${QUICK ? "quick" : "full"}`);
  writeFileSync(`${file}.md`, markdown);
  writeFileSync(`${file}.json`, JSON.stringify({ quick: QUICK, seconds, settings: S, sections: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.data])) }, null, 2));
  process.stdout.write(`${markdown}\n`);
  log(`written ${file.replace(repo, "")}.md (${seconds.toFixed(0)} s)`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`harness error: ${error instanceof HarnessError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  killAll();
  for (const fn of cleanup) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}

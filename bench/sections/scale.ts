/**
 * Section 7 (issue 16): scaling out. Three comparisons, every case interleaved in the same rounds:
 * - workers: ML-DSA-65 sign-ins/s with WORKERS=2 ÷ WORKERS=1 (one seed app each, neither pinned:
 *   sign-in is bound by the server's CPU, and the load generator needs little);
 * - store: Ed25519 sign-ins/s with store: postgres (and with Redis beside it) ÷ the SQLite store;
 * - cached GET: the http section's cache hit on postgres + Redis ÷ on SQLite (it never touches the store).
 * PostgreSQL and Redis are the machine's (a database and a key prefix of the run's own, removed after);
 * without them, or on a commit without their backends, the rows that need them are skipped with a line.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CONNECTIONS, runLoad } from "../lib/load.js";
import type { LoadResult } from "../lib/load.js";
import type { Pinning } from "../lib/proc.js";
import { int, ms, pct, table, verdict } from "../lib/report.js";
import { REDIS_URL, benchDatabase, benchRedisPrefix, postgresProblem, redisProblem } from "../lib/services.js";
import type { BenchDatabase, BenchRedisPrefix } from "../lib/services.js";
import { signInBodies } from "../lib/sign-ins.js";
import { startSigner } from "../lib/signer.js";
import { login, startSeed, tempDir } from "../lib/seed.js";
import type { Running } from "../lib/seed.js";
import { max, median, min } from "../lib/stats.js";
import { newWallet } from "../lib/wallets.js";
import type { Wallet, WalletAlgorithm } from "../lib/wallets.js";
import { cycle, pairedRatio, ratioVs, repeatNote, summarise } from "./common.js";
import type { BenchContext, Section } from "./context.js";

type Group = "workers" | "store" | "get";

interface ScaleCase {
  readonly id: string;
  readonly group: Group;
  readonly label: string;
  readonly server: Running;
  /** Command-line marks of the database processes serving it (their CPU is the store column). */
  readonly storeMarks: readonly string[];
  /** WORKERS=2: a cluster; its CPU is the primary's and the workers'. */
  readonly tree: boolean;
  /** Sign-in cases: the wallets; GET cases: the cached token. */
  readonly wallets?: readonly Wallet[];
  readonly token?: string;
  /** Statuses other than 200 that this case may get and reports (WORKERS=2 before challenges were shared: 401). */
  readonly alsoExpect: readonly number[];
}

/** Rough sign-ins/s for sizing the warm-up only. */
const ROUGH_RATE: Record<WalletAlgorithm, number> = { Ed25519: 300, secp256k1: 300, "ML-DSA-65": 200 };
/** A load generator above this share of a core would cap the workers comparison: the table says so. */
const LOAD_GEN_LIMIT = 0.1;

/** The responses that succeeded, per second (a refused sign-in is not a sign-in). */
const okRate = (r: LoadResult) => (r.rps * (r.statuses[200] ?? 0)) / r.requests;
/**
 * Successes per CPU-second of the server and of the database processes serving it: what each
 * costs, whatever share of the machine other processes left it (this machine is shared).
 */
const perCpuSecond = (r: LoadResult) => okRate(r) / (r.serverCpu + r.storeCpu);

export async function scaleSection(ctx: BenchContext, pinning: Pinning): Promise<Section> {
  const { S, log, targets } = ctx;
  // Every request comes from 127.0.0.1: lift the per-client challenge quota and the store bound, as the sign-in section does.
  const quota = { SERVER_AUTH__CHALLENGES_PER_CLIENT: "1000000000", SERVER_AUTH__MAX_CHALLENGES: "1000000" };
  const notes: string[] = [];
  const dirs: string[] = [];
  const databases: BenchDatabase[] = [];
  const prefixes: BenchRedisPrefix[] = [];
  const servers: Running[] = [];
  ctx.cleanup.push(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const db of databases) db.drop();
    for (const p of prefixes) p.clean();
  });
  const dataDir = (name: string) => {
    const dir = tempDir(`scale-${name}`);
    dirs.push(dir);
    return dir;
  };
  const start = async (name: string, env: Record<string, string>, cores: "server" | "all"): Promise<Running> => {
    const running = await startSeed({ name, repo: ctx.repo, dataDir: dataDir(name.replace(/\W+/g, "-")), pinning, env: { ...quota, ...env }, cores });
    servers.push(running);
    return running;
  };
  const signer = startSigner(pinning);
  try {
    const cases: ScaleCase[] = [];
    const mldsa = Array.from({ length: ctx.walletsPerAlgorithm }, () => newWallet("ML-DSA-65"));
    const ed25519 = Array.from({ length: ctx.walletsPerAlgorithm }, () => newWallet("Ed25519"));

    // 1. Workers: both on every core (taskset 0-N when the harness pins), the SQLite store (the default) on disk.
    for (const workers of [1, 2]) {
      const server = await start(`seed app, WORKERS=${workers}`, { WORKERS: String(workers) }, "all");
      cases.push({ id: `workers-${workers}`, group: "workers", label: `ML-DSA-65 sign-in, \`WORKERS=${workers}\`, SQLite`, server, storeMarks: [], tree: true, wallets: mldsa, alsoExpect: workers > 1 ? [401] : [] });
    }

    // 2–3. Stores: one seed app each on the server core, as in the sign-in and http sections.
    const sqlite = await start("seed app, SQLite store", {}, "server");
    const backend = (name: string) => existsSync(join(ctx.repo, "packages/pico-server-auth/src/state", name, "index.ts"));
    const pgProblem = backend("postgres") ? postgresProblem() : "this commit has no PostgreSQL store (packages/pico-server-auth/src/state/postgres)";
    const rdProblem = backend("redis") ? redisProblem() : "this commit has no Redis fast state (packages/pico-server-auth/src/state/redis)";
    const storeServers: { id: string; label: string; server: Running; marks: string[]; redis?: BenchRedisPrefix }[] = [];
    if (pgProblem) {
      notes.push(`**Skipped:** the PostgreSQL rows (store sign-ins and the cached GET on PostgreSQL): ${pgProblem}.`);
    } else {
      const withRedis = rdProblem ? [false] : [false, true];
      if (rdProblem) notes.push(`**Skipped:** the PostgreSQL + Redis rows: ${rdProblem}; the cached GET compares PostgreSQL alone.`);
      for (const redis of withRedis) {
        const db = benchDatabase();
        databases.push(db);
        const prefix = redis ? benchRedisPrefix() : undefined;
        if (prefix) prefixes.push(prefix);
        const env: Record<string, string> = { SERVER_AUTH__STORE: "postgres", SERVER_AUTH__POSTGRES_URL: db.url, ...(prefix ? { SERVER_AUTH__REDIS_URL: REDIS_URL, SERVER_AUTH__REDIS_KEY_PREFIX: prefix.prefix } : {}) };
        const what = redis ? "PostgreSQL + Redis" : "PostgreSQL";
        const server = await start(`seed app, ${what}`, env, "server");
        // A commit that ignored store: postgres would measure SQLite under the PostgreSQL label.
        if (db.storeTables() === 0) throw new Error(`the seed app with SERVER_AUTH__STORE=postgres created no pico_auth_ table in ${db.name}`);
        storeServers.push({ id: redis ? "pg-redis" : "pg", label: what, server, marks: [db.name, ...(redis ? ["redis-server"] : [])], ...(prefix ? { redis: prefix } : {}) });
      }
    }
    cases.push({ id: "store-sqlite", group: "store", label: "Ed25519 sign-in, SQLite store (reference)", server: sqlite, storeMarks: [], tree: false, wallets: ed25519, alsoExpect: [] });
    for (const s of storeServers) cases.push({ id: `store-${s.id}`, group: "store", label: `Ed25519 sign-in, ${s.label}`, server: s.server, storeMarks: s.marks, tree: false, wallets: ed25519, alsoExpect: [] });
    const getOn = storeServers.at(-1);
    if (getOn) {
      cases.push({ id: "get-sqlite", group: "get", label: "cached `GET /api/profile`, SQLite store (reference)", server: sqlite, storeMarks: [], tree: false, token: (await login(sqlite)).access_token, alsoExpect: [] });
      cases.push({ id: `get-${getOn.id}`, group: "get", label: `cached \`GET /api/profile\`, ${getOn.label}`, server: getOn.server, storeMarks: getOn.marks, tree: false, token: (await login(getOn.server)).access_token, alsoExpect: [] });
    }

    let prepSeconds = 0;
    const fire = async (c: ScaleCase, amount: number | undefined, seconds: number): Promise<LoadResult> => {
      const common = { port: c.server.port, serverPid: c.server.child.pid, serverTree: c.tree, storeMarks: c.storeMarks, expect: [200, ...c.alsoExpect] };
      if (c.token) return runLoad({ ...common, path: "/api/profile", headers: { authorization: `Bearer ${c.token}` }, seconds });
      const t0 = performance.now();
      const bodies = await signInBodies(c.server.url, c.wallets as Wallet[], amount as number, signer);
      prepSeconds += (performance.now() - t0) / 1000;
      const next = cycle(bodies);
      return runLoad({ ...common, method: "POST", path: "/api/v1/auth/sign-in", next: () => ({ body: next() }), amount: bodies.length });
    };

    const perRound = new Map<string, number>();
    for (const c of cases) {
      log(`scale warm-up ${c.id}`);
      const algorithm = c.wallets?.[0]?.algorithm ?? "Ed25519";
      const warm = await fire(c, Math.max(CONNECTIONS, Math.round(ROUGH_RATE[algorithm] * S.signin.warmup)), S.http.warmup);
      // Sign-ins: a fixed number of requests per run, sized from the warm-up (several per connection, as in the sign-in section).
      if (c.wallets) perRound.set(c.id, Math.max(Math.round(S.signin.perConnection * CONNECTIONS), Math.round(warm.rps * S.signin.seconds)));
    }
    for (const s of storeServers) if (s.redis && s.redis.keys() === 0) throw new Error(`the seed app with SERVER_AUTH__REDIS_URL wrote no key under ${s.redis.prefix}`);

    const runs = new Map<string, LoadResult[]>(cases.map((c) => [c.id, []]));
    let repeats = 0;
    for (let round = 0; round < S.signin.rounds; ) {
      const results: [string, LoadResult][] = [];
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(round + k) % cases.length] as ScaleCase;
        const result = await fire(c, perRound.get(c.id), S.http.seconds);
        results.push([c.id, result]);
        const refused = result.requests - (result.statuses[200] ?? 0);
        log(`scale round ${round + 1}/${S.signin.rounds} ${c.id}: ${int(okRate(result))}/s${refused ? ` (${int(refused)} refused)` : ""}, p99 ${ms(result.p99)} ms, CPU server ${pct(result.serverCpu)}, store ${pct(result.storeCpu)}, load ${pct(result.loadCpu)}, other ${pct(result.otherCpu)}`);
      }
      const worst = max(results.map(([, r]) => r.otherCpu));
      if (worst > ctx.disturbed && repeats < ctx.maxRepeats) {
        repeats++;
        log(`scale round ${round + 1} disturbed (other processes ${pct(worst)} of a core): run again`);
        continue;
      }
      for (const [id, r] of results) runs.get(id)?.push(r);
      round++;
    }

    const okOf = (id: string) => runs.get(id)?.map(okRate) ?? [];
    const reference: Record<Group, string> = { workers: "workers-1", store: "store-sqlite", get: "get-sqlite" };
    const rows: string[][] = [];
    const data: Record<string, unknown> = { prepSeconds, skipped: notes };
    for (const c of cases) {
      const r = runs.get(c.id) as LoadResult[];
      const s = summarise(r);
      const ok = okOf(c.id);
      const refused = r.reduce((n, x) => n + x.requests - (x.statuses[200] ?? 0), 0);
      const isReference = reference[c.group] === c.id;
      const vs = isReference ? 1 : pairedRatio(ok, okOf(reference[c.group]));
      const bounds: Record<Group, readonly [number, number]> = { workers: [targets.workers, Infinity], store: [targets.storeSignIn, Infinity], get: targets.cachedGet };
      const [low, high] = bounds[c.group];
      const target = isReference ? "–" : high === Infinity ? `≥ ${low.toFixed(2)}×` : `${low.toFixed(2)}–${high.toFixed(2)}×`;
      const result = isReference ? "–" : verdict(vs >= low && vs <= high);
      const shown = isReference ? "reference" : ratioVs(vs, Math.abs(vs - low) < Math.abs(vs - high) ? low : high);
      rows.push([
        c.label,
        int(median(ok)),
        `${int(min(ok))}–${int(max(ok))}`,
        ms(s.p50, c.group === "get" ? 2 : 1),
        ms(s.p99, c.group === "get" ? 2 : 1),
        refused === 0 ? "0" : `${int(refused)} (${pct(refused / s.requests)})`,
        int(median(r.map(perCpuSecond))),
        shown,
        target,
        result,
        `${pct(s.serverCpu)} / ${c.storeMarks.length ? pct(s.storeCpu) : "–"} / ${pct(s.loadCpu)} / ${pct(s.otherCpu)}`,
      ]);
      data[c.id] = { ...s, ok: median(ok), okRounds: ok, perCpuSecond: median(r.map(perCpuSecond)), vs, refused, perRound: perRound.get(c.id), rounds: r };
    }
    const workersLoad = max(cases.filter((c) => c.group === "workers").map((c) => summarise(runs.get(c.id) as LoadResult[]).loadCpu));
    // Two decimals near the limit: 9.99 % must not read as "10 %".
    const share = `${(workersLoad * 100).toFixed(Math.abs(workersLoad - LOAD_GEN_LIMIT) < 0.005 ? 2 : 0)}%`;
    notes.unshift(
      workersLoad < LOAD_GEN_LIMIT
        ? `The load generator used at most ${share} of a core on the workers rows (median per case), under ${pct(LOAD_GEN_LIMIT)}: the servers' CPU, not autocannon, bounds them.`
        : `**Note:** the load generator used ${share} of a core on a workers row (median), not under ${pct(LOAD_GEN_LIMIT)}: on this machine it competes with the workers for a core.`,
    );
    const w2 = runs.get("workers-2");
    if (w2 && w2.some((x) => (x.statuses[401] ?? 0) > 0)) {
      notes.push("**Note:** with `WORKERS=2`, some sign-ins were refused (401): their challenge was issued by the other worker, and this commit does not share challenges between workers. The rate counts successful sign-ins only.");
    }
    const cores = pinning.taskset ? `every core (\`taskset -c ${pinning.allCores}\`)` : "every core";
    const markdown = [
      "## 7. Scale: workers, PostgreSQL and Redis stores",
      "",
      `Cases interleaved round by round (${S.signin.rounds} rounds, each starting with another case). ` +
        `**Workers:** two seed apps on ${cores}, neither pinned (sign-in is bound by the server's CPU), the SQLite store on disk, \`WORKERS=1\` and \`WORKERS=2\`; ML-DSA-65 wallets, challenges requested and signed before each run (not measured), then autocannon ${CONNECTIONS} connections, a new body per request (≈ ${S.signin.seconds} s). ` +
        "The server's CPU is the primary's and its workers'. " +
        `**Store:** Ed25519 sign-ins, where the signature check is cheapest, so the store's share of a sign-in is the largest (ML-DSA-65's verification would hide it); one seed app per store on the server core: SQLite on disk, PostgreSQL (a database of this run's own on the machine's server, dropped after), and PostgreSQL with Redis (challenges and counters; a key prefix of this run's own, deleted after). ` +
        `**Cached GET:** the http section's cache hit (\`GET /api/profile\`, one token already verified) for ${S.http.seconds} s with wrk (${CONNECTIONS} connections), SQLite vs ${getOn ? getOn.label : "PostgreSQL"}. ` +
        "Sign-ins/s count 200s only. Ratios are medians of same-round ratios. " +
        "Per CPU-second: successes per second of CPU used by the server and its database processes (median over rounds), what one costs whatever share of the machine other processes left. " +
        "CPU: cores' worth used by the server, by the database processes serving it (PostgreSQL backends of its database, the Redis server), by the load generator (autocannon in this process for sign-ins, wrk for the cached GET) and by everything else. " +
        repeatNote(ctx, repeats),
      "",
      table(["case", "per s (median)", "min–max", "p50 ms", "p99 ms", "refused", "per CPU-second (server + store)", "× reference", "target", "result", "CPU server / store / load gen / other"], rows, ["l", "r", "r", "r", "r", "r", "r", "r", "l", "l", "r"]),
      "",
      ...notes.flatMap((n) => [n, ""]),
    ].join("\n");
    return { markdown, data };
  } finally {
    signer?.stop();
    for (const s of servers) await s.child.stop();
  }
}

/**
 * Sections 1–3: HTTP throughput of bare Hono (the floor), the seed app's cache-hit and verification
 * paths, and Hono + jose (the reference for verification), cases interleaved round by round.
 */
import { CONNECTIONS, PIPELINING, runLoad } from "../lib/load.js";
import type { LoadResult, LoadSpec } from "../lib/load.js";
import { rssKiB } from "../lib/proc.js";
import type { Pinning } from "../lib/proc.js";
import { int, ms, pct, ratio, table, verdict } from "../lib/report.js";
import { AUDIENCE, ISSUER, startSeed } from "../lib/seed.js";
import { max } from "../lib/stats.js";
import { cpuCell, pairedRatio, profArgs, profileOf, ratioVs, repeatNote, sleep, startScript, summarise } from "./common.js";
import type { Summary } from "./common.js";
import type { BenchContext, Section } from "./context.js";
import { tokens } from "./tokens.js";

interface Case {
  readonly id: string;
  readonly label: string;
  readonly spec: () => LoadSpec;
}

export async function httpSection(ctx: BenchContext, pinning: Pinning): Promise<Section> {
  const { S, log } = ctx;
  const { dataDir, pool, hot } = await tokens(ctx, pinning);
  const bare = await startScript(ctx, "bare Hono", "bare-hono.js", pinning, {}, profArgs(ctx, "bare-hono"));
  const context = await startScript(ctx, "Hono + AsyncLocalStorage", "hono-context.js", pinning, {}, profArgs(ctx, "hono-context"));
  const seed = await startSeed({ name: "seed app", repo: ctx.repo, dataDir, pinning, env: ctx.cacheEnv, ...profArgs(ctx, "seed-app") });
  // The same app on the same store (so the same keys verify the same token), with `web.metrics` on.
  const metered = !ctx.httpCases || ctx.httpCases.includes("metrics")
    ? await startSeed({ name: "seed app, metrics on", repo: ctx.repo, dataDir, pinning, env: { ...ctx.cacheEnv, WEB__METRICS: "true" }, ...profArgs(ctx, "seed-app-metrics") })
    : undefined;
  // The same again at LOG_LEVEL=info: one access-log line per request (the other seed apps run at warn).
  const logged = !ctx.httpCases || ctx.httpCases.includes("accesslog")
    ? await startSeed({ name: "seed app, access log on", repo: ctx.repo, dataDir, pinning, env: { ...ctx.cacheEnv, LOG_LEVEL: "info" }, ...profArgs(ctx, "seed-app-access-log") })
    : undefined;
  await sleep(500);
  const seedBootKiB = rssKiB(seed.child.pid);
  const jose = await startScript(ctx, "Hono + jose", "hono-jose.js", pinning, { JWKS_URL: `${seed.url}/api/v1/auth/jwks`, ISSUER, AUDIENCE }, profArgs(ctx, "hono-jose"));
  let handOver = false;
  try {
    const hit = hot[0] as string;
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    // Both verification cases start at the same place in the same pool, and each run continues where
    // that case's last run stopped (wrk starts from the given line): every request a token that
    // neither server has seen recently.
    const pooled = pool.map((t) => `Bearer ${t}`);
    const offsets = new Map<string, number>();
    const tokenCycle = (id: string) => ({ header: "authorization", values: pooled, start: offsets.get(id) ?? 0 });
    const run = async (c: Case, seconds: number): Promise<LoadResult> => {
      const result = await runLoad({ ...c.spec(), seconds });
      if (result.next !== undefined) offsets.set(c.id, result.next);
      return result;
    };
    const all: Case[] = [
      { id: "bare", label: "bare Hono `GET /hello` (floor)", spec: () => ({ port: bare.port, path: "/hello", serverPid: bare.child.pid }) },
      {
        id: "als",
        label: "Hono, async handler in `AsyncLocalStorage.run`, the same request as the cache hit (diagnostic)",
        spec: () => ({ port: context.port, path: "/profile", headers: bearer(hit), serverPid: context.child.pid }),
      },
      { id: "hit", label: "seed app `GET /api/profile`, one token (cache hit)", spec: () => ({ port: seed.port, path: "/api/profile", headers: bearer(hit), serverPid: seed.child.pid }) },
      ...(metered
        ? [{ id: "metrics", label: "seed app, the same cache hit, `web.metrics` on", spec: () => ({ port: metered.port, path: "/api/profile", headers: bearer(hit), serverPid: metered.child.pid }) }]
        : []),
      ...(logged
        ? [{ id: "accesslog", label: "seed app, the same cache hit, access log on (`LOG_LEVEL=info`)", spec: () => ({ port: logged.port, path: "/api/profile", headers: bearer(hit), serverPid: logged.child.pid }) }]
        : []),
      { id: "jose", label: "Hono + jose `GET /api/profile`, a different token per request", spec: () => ({ port: jose.port, path: "/api/profile", perRequest: tokenCycle("jose"), serverPid: jose.child.pid }) },
      { id: "verify", label: "seed app `GET /api/profile`, a different token per request (verification)", spec: () => ({ port: seed.port, path: "/api/profile", perRequest: tokenCycle("verify"), serverPid: seed.child.pid }) },
    ];
    const cases = all.filter((c) => !ctx.httpCases || ctx.httpCases.includes(c.id));
    const runs = new Map<string, LoadResult[]>(cases.map((c) => [c.id, []]));
    for (const c of cases) {
      log(`http warm-up ${c.id} (${S.http.warmup} s)`);
      await run(c, S.http.warmup);
    }
    let repeats = 0;
    for (let round = 0; round < S.http.rounds; ) {
      // Each round starts with a different case, so no case always runs first or last.
      const results: [string, LoadResult][] = [];
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(round + k) % cases.length] as Case;
        const result = await run(c, S.http.seconds);
        results.push([c.id, result]);
        log(`http round ${round + 1}/${S.http.rounds} ${c.id}: ${int(result.rps)} req/s, p99 ${ms(result.p99)} ms, CPU server ${pct(result.serverCpu)}, load ${pct(result.loadCpu)}, other ${pct(result.otherCpu)}`);
      }
      const worst = max(results.map(([, r]) => r.otherCpu));
      if (worst > ctx.disturbed && repeats < ctx.maxRepeats) {
        repeats++;
        log(`http round ${round + 1} disturbed (other processes ${pct(worst)} of a core): run again`);
        continue;
      }
      for (const [id, r] of results) runs.get(id)?.push(r);
      round++;
    }
    const sum = new Map([...runs].map(([id, r]) => [id, summarise(r)]));
    const rpsOf = (id: string) => runs.get(id)?.map((r) => r.rps) ?? [];
    const p99Of = (id: string) => runs.get(id)?.map((r) => r.p99) ?? [];
    const has = (id: string) => runs.has(id);
    const rows: string[][] = [];
    const data: Record<string, unknown> = {};
    for (const c of cases) {
      const s = sum.get(c.id) as Summary;
      const vsBare = has("bare") ? pairedRatio(rpsOf(c.id), rpsOf("bare")) : Number.NaN;
      const p99VsBare = has("bare") ? pairedRatio(p99Of(c.id), p99Of("bare")) : Number.NaN;
      let compared = "–";
      let target = "–";
      let result = "–";
      if (c.id === "bare") {
        target = "reference";
      } else if (c.id === "als" && has("hit")) {
        compared = `seed cache hit: ${ratio(pairedRatio(rpsOf("hit"), rpsOf("als")))} of this req/s`;
      } else if (c.id === "hit" && has("bare")) {
        compared = `${ratioVs(vsBare, ctx.targets.hitRps)} req/s, ${ratioVs(p99VsBare, ctx.targets.hitP99)} p99`;
        target = `≥ ${ctx.targets.hitRps.toFixed(2)}× req/s, ≤ ${ctx.targets.hitP99}× p99`;
        result = verdict(vsBare >= ctx.targets.hitRps && p99VsBare <= ctx.targets.hitP99);
      } else if (c.id === "metrics" && has("hit")) {
        const vsOff = pairedRatio(rpsOf("metrics"), rpsOf("hit"));
        compared = `${ratio(vsOff)} of the metrics-off cache hit's req/s, ${ratio(pairedRatio(p99Of("metrics"), p99Of("hit")))} its p99`;
        target = `≥ ${ctx.targets.metricsOn.toFixed(2)}× metrics-off req/s`;
        result = verdict(vsOff >= ctx.targets.metricsOn);
        data.metricsVsOff = vsOff;
      } else if (c.id === "accesslog" && has("hit")) {
        const vsOff = pairedRatio(rpsOf("accesslog"), rpsOf("hit"));
        compared = `${ratio(vsOff)} of the cache hit's req/s at warn, ${ratio(pairedRatio(p99Of("accesslog"), p99Of("hit")))} its p99`;
        target = "reported (the access log's own cost)";
        data.accessLogVsOff = vsOff;
      } else if (c.id === "jose") {
        target = "reference for verification";
      } else if (c.id === "verify" && has("jose")) {
        const vsJose = pairedRatio(rpsOf("verify"), rpsOf("jose"));
        const p99VsJose = pairedRatio(p99Of("verify"), p99Of("jose"));
        compared = `${ratioVs(vsJose, ctx.targets.verify)} req/s, ${ratio(p99VsJose)} p99 (vs Hono + jose)`;
        target = `≥ ${ctx.targets.verify.toFixed(2)}× Hono + jose req/s`;
        result = verdict(vsJose >= ctx.targets.verify);
        data.verifyVsJose = vsJose;
      }
      rows.push([c.label, int(s.rps), `${int(s.rpsMin)}–${int(s.rpsMax)}`, ms(s.p50), ms(s.p99), ratio(vsBare), compared, target, result, cpuCell(s)]);
      data[c.id] = { ...s, vsBare, p99VsBare, rounds: runs.get(c.id) };
    }
    const notes: string[] = [];
    if (has("hit") && has("verify")) {
      const hitRps = (sum.get("hit") as Summary).rps;
      const verifyRps = (sum.get("verify") as Summary).rps;
      if (verifyRps > 0.9 * hitRps) notes.push("**Warning:** the verification path is nearly as fast as the cache hit: the token pool may be hitting the cache.");
    }
    const bareSum = sum.get("bare");
    if (bareSum && bareSum.loadCpu > 0.85) notes.push(`**Note:** the load generator's core was ${pct(bareSum.loadCpu)} busy on bare Hono: the floor may be capped by wrk, not by the server.`);
    let profile = "";
    if (ctx.cpuProf) {
      for (const [server, running] of [["bare-hono", bare], ["hono-context", context], ["seed-app", seed], ["hono-jose", jose]] as const) profile += await profileOf(ctx, server, running);
      if (metered) profile += await profileOf(ctx, "seed-app-metrics", metered);
      if (logged) profile += await profileOf(ctx, "seed-app-access-log", logged);
    }
    const markdown = [
      "## 1–3. HTTP throughput",
      "",
      `wrk, one thread, ${CONNECTIONS} connections, pipelining ${PIPELINING}; per case ${S.http.warmup} s warm-up, then ${S.http.rounds} rounds × ${S.http.seconds} s, cases interleaved round by round. ` +
        "The diagnostic row is what the cache-hit path costs before any framework: an async handler and an ambient identity (AsyncLocalStorage, which on Node 20 hooks every promise), in a process of its own. " +
        `Verification: ${int(ctx.pool)} distinct valid access tokens cycled in order by wrk's Lua script, each run continuing where the last stopped (the seed app's token cache holds ${int(ctx.tokenCacheSize)}, so every request misses it). ` +
        "Every seed app runs at `LOG_LEVEL=warn` (no access log), but the access-log row's, at `info`. " +
        "The metrics row is a second seed app on the same store with `WEB__METRICS=true` (the request-duration histogram and the token-cache counter on every request), compared with the cache-hit row. " +
        "Ratios are medians of same-round ratios; p50/p99 (wrk's latency histogram) are medians over rounds. " +
        `CPU: cores' worth used by the server, by the load generator (wrk) and by everything else on the machine. ${repeatNote(ctx, repeats)}`,
      "",
      table(["case", "req/s (median)", "req/s min–max", "p50 ms", "p99 ms", "× bare Hono req/s", "compared", "target", "result", "CPU server / load gen / other"], rows, ["l", "r", "r", "r", "r", "r", "l", "l", "l", "r"]),
      ...(notes.length ? ["", ...notes] : []),
      profile,
    ].join("\n");
    handOver = ctx.enabled("memory") && !ctx.cpuProf;
    if (handOver) ctx.handover = { seed, bootKiB: seedBootKiB };
    return { markdown, data };
  } finally {
    await bare.child.stop();
    await context.child.stop();
    await jose.child.stop();
    await metered?.child.stop();
    await logged?.child.stop();
    if (!handOver) await seed.child.stop();
  }
}

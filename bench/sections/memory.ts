/** Section 6: the seed app's RSS under a mixed load, growth after warm-up (reuses the HTTP section's instance when handed over). */
import { CONNECTIONS, runLoad } from "../lib/load.js";
import type { LoadSpec } from "../lib/load.js";
import { rssKiB } from "../lib/proc.js";
import type { Pinning } from "../lib/proc.js";
import { int, mib, pct, table, verdict } from "../lib/report.js";
import { startSeed } from "../lib/seed.js";
import { min } from "../lib/stats.js";
import { cycle, sleep } from "./common.js";
import type { BenchContext, Section } from "./context.js";
import { tokens } from "./tokens.js";

export async function memorySection(ctx: BenchContext, pinning: Pinning): Promise<Section> {
  const { S, log } = ctx;
  const { dataDir, pool, hot } = await tokens(ctx, pinning);
  const reused = ctx.handover;
  ctx.handover = undefined;
  const seed = reused?.seed ?? (await startSeed({ name: "seed app (memory)", repo: ctx.repo, dataDir, pinning, env: ctx.cacheEnv }));
  try {
    if (!reused) await sleep(500);
    const boot = reused?.bootKiB ?? rssKiB(seed.child.pid);
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const bad = `${(pool[0] as string).slice(0, -6)}AAAAAA`;
    // 1/2 cached tokens, 1/4 distinct tokens (verification + cache churn), 1/8 no token, 1/8 bad signature:
    // the Authorization values wrk cycles through, long enough to pass over the whole pool once.
    const slots = ["hot", "pool", "hot", "none", "hot", "pool", "hot", "bad"] as const;
    let h = 0;
    let p = 0;
    const mixed = Array.from({ length: 4 * pool.length }, (_, k) => {
      const slot = slots[k % slots.length];
      return slot === "hot" ? `Bearer ${hot[h++ % hot.length]}` : slot === "pool" ? `Bearer ${pool[p++ % pool.length]}` : slot === "bad" ? `Bearer ${bad}` : "";
    });
    let start = 0;
    const mixedLoad = async (seconds: number) => {
      const spec: LoadSpec = { port: seed.port, path: "/api/profile", perRequest: { header: "authorization", values: mixed, start }, expect: [200, 401], serverPid: seed.child.pid, seconds };
      const result = await runLoad(spec);
      start = result.next ?? 0;
      return result;
    };
    const nextPool = cycle(pool);
    // Warm-up: one pass over the whole pool (the token cache fills to its bound; the HTTP section did
    // that many times over on a handed-on instance; autocannon, which can send exactly that many), then mixed load.
    log(`memory warm-up: ${reused ? "the HTTP section" : `${int(pool.length)} distinct tokens`}, then ${S.memory.warmup} s mixed`);
    if (!reused) await runLoad({ port: seed.port, path: "/api/profile", next: () => ({ headers: bearer(nextPool()) }), amount: pool.length, serverPid: seed.child.pid });
    await mixedLoad(S.memory.warmup);
    await sleep(500);
    const warm = rssKiB(seed.child.pid);
    let peak = warm;
    const series: number[] = [];
    const sampler = setInterval(() => {
      const now = rssKiB(seed.child.pid);
      series.push(now);
      peak = Math.max(peak, now);
      if (series.length % 40 === 0) log(`memory: ${series.length / 4} s, RSS ${mib(now)} MiB`);
    }, 250);
    log(`memory: ${S.memory.seconds} s mixed load on /api/profile`);
    const load = await mixedLoad(S.memory.seconds).finally(() => clearInterval(sampler));
    const end = rssKiB(seed.child.pid);
    peak = Math.max(peak, end);
    // RSS saw-tooths with the garbage collector (tens of MiB): compare its floor (after collections)
    // early in the load with its floor late in the load, not two arbitrary points.
    const third = Math.max(1, Math.floor(series.length / 3));
    const floorEarly = min(series.slice(0, third));
    const floorLate = min(series.slice(-third));
    const growth = floorLate - floorEarly;
    const statuses = Object.entries(load.statuses).map(([k, v]) => `${k}: ${int(v)}`).join(", ");
    const rows = [[mib(boot), mib(warm), mib(end), mib(peak), `${mib(floorEarly)} → ${mib(floorLate)}`, mib(growth), `< ${ctx.targets.rssMiB} MiB`, verdict(growth / 1024 < ctx.targets.rssMiB), mib(end - warm), mib(end - boot), int(load.rps), statuses, `${pct(load.serverCpu)} / ${pct(load.loadCpu)} / ${pct(load.otherCpu)}`]];
    const markdown = [
      "## 6. Memory: seed app RSS (VmRSS of the server process)",
      "",
      (reused
        ? `The seed app process of sections 1–3: RSS after its boot (before any request); warm-up = sections 1–3 (which cycle the ${int(pool.length)} distinct tokens through its ${int(ctx.tokenCacheSize)}-entry token cache many times) + ${S.memory.warmup} s of the mix; `
        : `A fresh seed app process; RSS after boot; warm-up = one pass over the ${int(pool.length)} distinct tokens (fills the ${int(ctx.tokenCacheSize)}-entry token cache) + ${S.memory.warmup} s of the mix; `) +
        `then ${S.memory.seconds} s of mixed load on \`GET /api/profile\` (wrk ${CONNECTIONS} connections): 1/2 cached tokens (${ctx.hot}), 1/4 distinct tokens, 1/8 no token (401), 1/8 bad signature (401). ` +
        "RSS is sampled every 250 ms; it rises and falls with garbage collection, so growth after warm-up is the rise of its floor " +
        "(lowest sample in the last third of the load minus lowest in the first third); the point-to-point differences are shown too.",
      "",
      table(
        ["after boot MiB", "after warm-up MiB", `after ${S.memory.seconds} s MiB`, "peak MiB", "RSS floor, first → last third MiB", "growth after warm-up MiB", "target", "result", "end − warm-up MiB", "end − boot MiB", "req/s", "statuses", "CPU server / load gen / other"],
        rows,
        ["r", "r", "r", "r", "r", "r", "l", "l", "r", "r", "r", "l", "r"],
      ),
    ].join("\n");
    return { markdown, data: { bootKiB: boot, warmKiB: warm, endKiB: end, peakKiB: peak, floorEarlyKiB: floorEarly, floorLateKiB: floorLate, growthKiB: growth, seriesKiB: series, load } };
  } finally {
    await seed.child.stop();
  }
}

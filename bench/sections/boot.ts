/** Section 5: boot, process spawn → first 200, of the seed app (restart and first install) vs bare Hono and `node -e 0`. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, spawnNode, waitFor200 } from "../lib/proc.js";
import type { Child, Pinning } from "../lib/proc.js";
import { ms, table, verdict } from "../lib/report.js";
import { READY_PATH, seedEnv, seedMain, tempDir } from "../lib/seed.js";
import { max, median, min } from "../lib/stats.js";
import { ratioVs } from "./common.js";
import type { BenchContext, Section } from "./context.js";

export async function bootSection(ctx: BenchContext, pinning: Pinning): Promise<Section> {
  const { S, log } = ctx;
  const main = seedMain(ctx.repo);
  const bareScript = join(ctx.repo, "bench/dist/servers/bare-hono.js");
  const restartDir = tempDir("boot");
  ctx.cleanup.push(() => rmSync(restartDir, { recursive: true, force: true }));
  const fresh: string[] = [];
  ctx.cleanup.push(() => fresh.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const boot = async (name: string, script: string, path: string, env: (port: number) => Record<string, string>, cwd?: string): Promise<number> => {
    const port = await freePort();
    const t0 = performance.now();
    const child: Child = spawnNode({ name, script, env: env(port), pinning, ...(cwd ? { cwd } : {}) });
    try {
      return await waitFor200(child, port, path, t0);
    } finally {
      await child.stop();
    }
  };
  const floor = async (): Promise<number> => {
    const t0 = performance.now();
    const child = spawnNode({ name: "node -e 0", script: "0", nodeArgs: ["-e"], env: {}, pinning });
    await new Promise<void>((resolve) => (child.exited() ? resolve() : child.process.once("exit", () => resolve())));
    return performance.now() - t0;
  };
  const kinds = {
    floor,
    bare: () => boot("bare Hono", bareScript, "/hello", (port) => ({ PORT: String(port) })),
    restart: () => boot("seed app (restart)", main, READY_PATH, (port) => seedEnv(restartDir, port), restartDir),
    install: () => {
      const dir = tempDir("install");
      fresh.push(dir);
      return boot("seed app (first install)", main, READY_PATH, (port) => seedEnv(dir, port), dir);
    },
  };
  // The restart case needs an initialised data dir; the first boot of each kind also warms the file cache.
  await kinds.restart();
  if (!ctx.quick) await kinds.bare();
  const times: Record<keyof typeof kinds, number[]> = { floor: [], bare: [], restart: [], install: [] };
  const order = Object.keys(kinds) as (keyof typeof kinds)[];
  for (let run = 0; run < S.boot.runs; run++) {
    for (let k = 0; k < order.length; k++) {
      const kind = order[(run + k) % order.length] as keyof typeof kinds;
      if (kind === "install" && times.install.length >= S.boot.installRuns) continue;
      times[kind].push(await kinds[kind]());
    }
    log(`boot run ${run + 1}/${S.boot.runs}: ${order.map((k) => `${k} ${ms(times[k].at(-1) as number, 0)} ms`).join(", ")}`);
  }
  const bare = median(times.bare);
  const node = median(times.floor);
  const row = (label: string, kind: keyof typeof kinds, target: string, result: string) => {
    const m = median(times[kind]);
    return [label, ms(m, 0), `${ms(min(times[kind]), 0)}–${ms(max(times[kind]), 0)}`, kind === "floor" ? "–" : ms(m - node, 0), kind === "floor" ? "–" : ratioVs(m / bare, ctx.targets.boot), target, result];
  };
  const restartRatio = median(times.restart) / bare;
  const rows = [
    row("`node -e 0` (process floor: spawn → exit)", "floor", "–", "–"),
    row("bare Hono → `GET /hello`", "bare", "reference", "–"),
    row("seed app, restart (initialised data dir) → `GET /api/v1/auth/jwks`", "restart", `≤ ${ctx.targets.boot.toFixed(2)}×`, verdict(restartRatio <= ctx.targets.boot)),
    row("seed app, first install (empty data dir) → `GET /api/v1/auth/jwks`", "install", "– (reported)", "–"),
  ];
  const markdown = [
    "## 5. Boot: process spawn → first 200",
    "",
    `${S.boot.runs} runs of each kind${S.boot.installRuns < S.boot.runs ? ` (first install: ${S.boot.installRuns})` : ""}, interleaved, median; each server on the server core, polled every 2 ms from the load-generator core. ` +
      "The restart boots on a data dir initialised by an earlier boot; first install gets a new empty data dir each time (signing-key generation, SQLite schema). " +
      "Both are given a plaintext admin password: pico-server-auth hashes it (argon2id) one second after init, so it is not part of the boot time; neither is loading the ML-DSA-65 verifier, which starts then too.",
    "",
    table(["server", "ms (median)", "min–max", "minus node floor", "× bare Hono", "target", "result"], rows, ["l", "r", "r", "r", "r", "l", "l"]),
  ].join("\n");
  return { markdown, data: { times, restartRatio } };
}

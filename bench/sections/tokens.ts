/** The access tokens shared by the http and memory sections, minted once per run. */
import { rmSync } from "node:fs";
import type { Pinning } from "../lib/proc.js";
import { mintAccessTokens, startSeed, tempDir } from "../lib/seed.js";
import type { Running } from "../lib/seed.js";
import type { BenchContext, TokenSet } from "./context.js";

/**
 * A data dir initialised by a first boot, and tokens minted before any measurement by one seed app
 * instance per core on that dir (they share its signing key). On tmpfs when there is one: minting
 * is thousands of SQLite commits (fsync each), and the GET paths measured on this dir never write.
 */
export async function tokens(ctx: BenchContext, pinning: Pinning): Promise<TokenSet> {
  if (ctx.tokenSet) return ctx.tokenSet;
  const dataDir = tempDir("data", "memory");
  ctx.cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const t0 = performance.now();
  // One instance per core (the server signs on its main thread), started one after another: the first initialises the dir.
  const minters: Running[] = [];
  let tokenSet: TokenSet;
  try {
    const cores = pinning.taskset && pinning.loadCore !== undefined ? pinning.loadCore + 1 : 1;
    for (let core = 0; core < cores; core++) {
      minters.push(await startSeed({ name: `seed app (token minting ${core})`, repo: ctx.repo, dataDir, pinning, cores: pinning.taskset ? String(core) : "all", env: ctx.cacheEnv }));
    }
    const all = await mintAccessTokens(minters, ctx.pool + ctx.hot);
    tokenSet = { dataDir, pool: all.slice(0, ctx.pool), hot: all.slice(ctx.pool), seconds: (performance.now() - t0) / 1000 };
    ctx.tokenSet = tokenSet;
  } finally {
    for (const m of minters) await m.child.stop();
  }
  ctx.log(`minted ${ctx.pool + ctx.hot} access tokens in ${tokenSet.seconds.toFixed(1)} s`);
  return tokenSet;
}

/** Section 4: `POST /api/v1/auth/sign-in` per wallet algorithm vs the crypto bound measured in this process. */
import { rmSync } from "node:fs";
import { boundFixture, boundSamples, measureBound } from "../lib/bound.js";
import { CONNECTIONS, runLoad } from "../lib/load.js";
import type { LoadResult } from "../lib/load.js";
import { fsTypeOf } from "../lib/proc.js";
import type { Pinning } from "../lib/proc.js";
import { signInBodies } from "../lib/sign-ins.js";
import { startSigner } from "../lib/signer.js";
import { int, ms, pct, table, verdict } from "../lib/report.js";
import { startSeed, tempDir } from "../lib/seed.js";
import type { Running } from "../lib/seed.js";
import { max, median, min } from "../lib/stats.js";
import { WALLET_ALGORITHMS, newWallet } from "../lib/wallets.js";
import type { Wallet, WalletAlgorithm } from "../lib/wallets.js";
import { cpuCell, cycle, pairedRatio, profArgs, profileOf, ratioVs, repeatNote, summarise } from "./common.js";
import type { BenchContext, Section } from "./context.js";

/** Rough sign-ins/s for sizing the warm-up only. */
const ROUGH_RATE: Record<WalletAlgorithm, number> = { Ed25519: 300, secp256k1: 300, "ML-DSA-65": 200 };

interface SignInCase {
  readonly id: string;
  readonly algorithm: WalletAlgorithm;
  readonly seed: Running;
  readonly label: string;
}

export async function signInSection(ctx: BenchContext, pinning: Pinning): Promise<Section> {
  const { S, log } = ctx;
  // Every sign-in request comes from 127.0.0.1, one "client": lift the per-client challenge quota and the store bound.
  const quota = { SERVER_AUTH__CHALLENGES_PER_CLIENT: "1000000000", SERVER_AUTH__MAX_CHALLENGES: "1000000" };
  const diskDir = tempDir("signin");
  const memDir = tempDir("signin-tmpfs", "memory");
  ctx.cleanup.push(() => [diskDir, memDir].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const diskFs = fsTypeOf(diskDir);
  const memFs = fsTypeOf(memDir);
  const seed = await startSeed({ name: "seed app (sign-in)", repo: ctx.repo, dataDir: diskDir, pinning, env: quota, ...profArgs(ctx, "seed-app-signin") });
  const signer = startSigner(pinning);
  const seedMem = S.signin.diagnostic ? await startSeed({ name: "seed app (sign-in, store on tmpfs)", repo: ctx.repo, dataDir: memDir, pinning, env: quota }) : seed;
  try {
    const cases: SignInCase[] = [
      ...WALLET_ALGORITHMS.map((algorithm) => ({ id: algorithm, algorithm, seed, label: algorithm })),
      // A diagnostic: the same as Ed25519 with the SQLite file where fsync costs nothing.
      ...(S.signin.diagnostic && memFs !== diskFs ? [{ id: "Ed25519-tmpfs", algorithm: "Ed25519" as const, seed: seedMem, label: `Ed25519, data dir on ${memFs} (diagnostic)` }] : []),
    ];
    const wallets = Object.fromEntries(WALLET_ALGORITHMS.map((a) => [a, Array.from({ length: ctx.walletsPerAlgorithm }, () => newWallet(a))])) as Record<WalletAlgorithm, Wallet[]>;
    const fixture = await boundFixture();
    const samples = Object.fromEntries(WALLET_ALGORITHMS.map((a) => [a, boundSamples(wallets[a], ctx.quick ? 8 : 32)])) as Record<WalletAlgorithm, ReturnType<typeof boundSamples>>;
    let prepSeconds = 0;

    /** Challenges requested and signed before the run (not measured): one request body each. */
    const prepare = async (c: SignInCase, count: number): Promise<string[]> => {
      const t0 = performance.now();
      const bodies = await signInBodies(c.seed.url, wallets[c.algorithm], count, signer);
      prepSeconds += (performance.now() - t0) / 1000;
      return bodies;
    };
    const fire = async (c: SignInCase, bodies: string[]): Promise<LoadResult> => {
      const next = cycle(bodies);
      return runLoad({ port: c.seed.port, method: "POST", path: "/api/v1/auth/sign-in", next: () => ({ body: next() }), amount: bodies.length, serverPid: c.seed.child.pid, generator: "autocannon" });
    };

    const perRound = new Map<string, number>();
    for (const c of cases) {
      log(`sign-in warm-up ${c.id}`);
      const warm = await fire(c, await prepare(c, Math.max(CONNECTIONS, Math.round(ROUGH_RATE[c.algorithm] * S.signin.warmup))));
      measureBound(fixture, samples[c.algorithm], S.signin.bound / 2);
      // Several requests per connection and round, so that there is a p99 without the first ones.
      perRound.set(c.id, Math.max(Math.round(S.signin.perConnection * CONNECTIONS), Math.round(warm.rps * S.signin.seconds)));
    }
    const runs = new Map<string, LoadResult[]>(cases.map((c) => [c.id, []]));
    const bounds = new Map<string, number[]>(cases.map((c) => [c.id, []]));
    let repeats = 0;
    for (let round = 0; round < S.signin.rounds; ) {
      const results: [string, LoadResult, number][] = [];
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(round + k) % cases.length] as SignInCase;
        const result = await fire(c, await prepare(c, perRound.get(c.id) as number));
        // The bound right after, in this process, while no server is under load.
        const bound = measureBound(fixture, samples[c.algorithm], S.signin.bound);
        results.push([c.id, result, bound]);
        log(`sign-in round ${round + 1}/${S.signin.rounds} ${c.id}: ${int(result.rps)}/s (bound ${int(bound)}/s), p99 ${ms(result.p99)} ms, CPU server ${pct(result.serverCpu)}, other ${pct(result.otherCpu)}`);
      }
      const worst = max(results.map(([, r]) => r.otherCpu));
      if (worst > ctx.disturbed && repeats < ctx.maxRepeats) {
        repeats++;
        log(`sign-in round ${round + 1} disturbed (other processes ${pct(worst)} of a core): run again`);
        continue;
      }
      for (const [id, r, b] of results) {
        runs.get(id)?.push(r);
        bounds.get(id)?.push(b);
      }
      round++;
    }
    const rows: string[][] = [];
    const data: Record<string, unknown> = { prepSeconds, diskFs, memFs };
    for (const c of cases) {
      const r = runs.get(c.id) as LoadResult[];
      const b = bounds.get(c.id) as number[];
      const s = summarise(r);
      const bound = median(b);
      const vsBound = pairedRatio(r.map((x) => x.rps), b);
      const diagnostic = c.id.endsWith("-tmpfs");
      rows.push([c.label, int(s.rps), `${int(s.rpsMin)}–${int(s.rpsMax)}`, ms(s.p50, 1), ms(s.p99, 1), ms(s.p99Steady, 1), int(bound), `${int(min(b))}–${int(max(b))}`, ratioVs(vsBound, ctx.targets.signIn), diagnostic ? "–" : `≥ ${ctx.targets.signIn.toFixed(2)}×`, diagnostic ? "–" : verdict(vsBound >= ctx.targets.signIn), cpuCell(s)]);
      data[c.id] = { ...s, bound, bounds: b, vsBound, perRound: perRound.get(c.id), rounds: r };
    }
    const markdown = [
      "## 4. `POST /api/v1/auth/sign-in` vs the crypto bound",
      "",
      `Per algorithm ${ctx.walletsPerAlgorithm} wallets; before each run, as many challenges as the run needs are requested and signed here (not measured), then fired with autocannon (in the harness process: each body can be used once, so a run is a fixed number of requests, which wrk cannot do; at a few hundred per second its core stays far from busy, see the load gen column) ${CONNECTIONS} connections, a new body per request ` +
        `(${S.signin.warmup} s warm-up, ${S.signin.rounds} rounds of ≈ ${S.signin.seconds} s, cases interleaved). ` +
        `Crypto bound, measured right after each run in this process with no load running: sign-ins/s of pico-server-auth's \`verifyMessageSignature\` over a sign-in message (secp256k1: key recovery) + 2 RS256 JWS signatures (access + refresh; node:crypto, 2048-bit key), one at a time, one core. ` +
        `The seed app's data dir (SQLite, \`synchronous = FULL\`) is on ${diskFs}, as a deployment's would be${cases.some((c) => c.seed !== seed) ? `; the diagnostic row has it on ${memFs}` : ""}. ` +
        "The challenge quota is lifted (`SERVER_AUTH__CHALLENGES_PER_CLIENT`, `SERVER_AUTH__MAX_CHALLENGES`): every request comes from 127.0.0.1. " +
        repeatNote(ctx, repeats),
      "",
      table(["case", "sign-ins/s (median)", "min–max", "p50 ms", "p99 ms", "p99 ms without 1st request per connection", "crypto bound /s", "bound min–max", "× bound", "target", "result", "CPU server / load gen / other"], rows, ["l", "r", "r", "r", "r", "r", "r", "r", "r", "l", "l", "r"]),
      "",
      `Each run opens ${CONNECTIONS} new connections; where p99 is far above p99 without each connection's first request, the server answered some connections' first request late (seconds, while saturated), not every request slowly.`,
      ctx.cpuProf ? await profileOf(ctx, "seed-app-signin", seed) : "",
    ].join("\n");
    return { markdown, data };
  } finally {
    signer?.stop();
    await seed.child.stop();
    await seedMem.child.stop();
  }
}

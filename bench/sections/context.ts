/**
 * What run.ts hands every section: the settings of this run (mode, rounds, targets, flags), where
 * results go, logging and cleanup, and the little state that sections pass on to each other.
 */
import type { Running } from "../lib/seed.js";

/** Durations (seconds), rounds and runs per section; quick and full mode differ only here. */
export interface Settings {
  readonly http: { readonly warmup: number; readonly rounds: number; readonly seconds: number };
  readonly signin: { readonly warmup: number; readonly rounds: number; readonly seconds: number; readonly bound: number; readonly perConnection: number; readonly diagnostic: boolean };
  readonly boot: { readonly runs: number; readonly installRuns: number };
  readonly memory: { readonly warmup: number; readonly seconds: number };
}

export interface Targets {
  readonly hitRps: number;
  readonly hitP99: number;
  /** The cache hit with `web.metrics` on, as a share of the same with metrics off (issue 15: at most 5 % slower). */
  readonly metricsOn: number;
  readonly verify: number;
  readonly signIn: number;
  readonly boot: number;
  readonly rssMiB: number;
  /** Issue 16: ML-DSA-65 sign-ins/s with WORKERS=2 ÷ WORKERS=1. */
  readonly workers: number;
  /** Issue 16: sign-ins/s on the PostgreSQL store ÷ on SQLite. */
  readonly storeSignIn: number;
  /** Issue 16: the cached GET on PostgreSQL + Redis ÷ on SQLite, within these bounds. */
  readonly cachedGet: readonly [number, number];
}

/** A data dir and access tokens minted on it, shared by the http and memory sections. */
export interface TokenSet {
  readonly dataDir: string;
  readonly pool: readonly string[];
  readonly hot: readonly string[];
  readonly seconds: number;
}

/** The HTTP section's seed app, handed on to the memory section (which then needs no boot and warm-up of its own). */
export interface Handover {
  readonly seed: Running;
  readonly bootKiB: number;
}

export interface Section {
  readonly markdown: string;
  readonly data: unknown;
}

export interface BenchContext {
  /** The repository root. */
  readonly repo: string;
  readonly quick: boolean;
  /** --cpu-prof: the servers of the HTTP and sign-in sections run under `node --cpu-prof`. */
  readonly cpuProf: boolean;
  /** --http-cases, or undefined for all of them. */
  readonly httpCases: readonly string[] | undefined;
  /** Whether a section runs in this invocation (--only). */
  readonly enabled: (section: string) => boolean;
  readonly S: Settings;
  readonly targets: Targets;
  /** The seed app's token cache size for the HTTP and memory instances. */
  readonly tokenCacheSize: number;
  /** The environment that sets it. */
  readonly cacheEnv: Record<string, string>;
  /** Distinct tokens cycled in order on the verification path (more than the token cache holds). */
  readonly pool: number;
  /** Tokens used as the "cached" ones in the memory mix. */
  readonly hot: number;
  readonly walletsPerAlgorithm: number;
  /** A round during which other processes used more than this share of a core is run again (at most maxRepeats times per section). */
  readonly disturbed: number;
  readonly maxRepeats: number;
  readonly resultsDir: string;
  /** The timestamp naming this run's result files. */
  readonly stamp: string;
  readonly log: (msg: string) => void;
  /** Run (best effort) when the harness exits. */
  readonly cleanup: (() => void)[];
  /** Minted once, by the first section that needs tokens. */
  tokenSet: TokenSet | undefined;
  /** Set by the http section when the memory section runs after it. */
  handover: Handover | undefined;
}

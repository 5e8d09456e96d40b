import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentiles of `samples` (milliseconds), rounded to 0.1 ms. */
export function distribution(samples: readonly number[]): Distribution {
  if (samples.length === 0) throw new Error("distribution: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { count: sorted.length, min: round(sorted[0] as number), median: round(rank(0.5)), p95: round(rank(0.95)), max: round(sorted.at(-1) as number) };
}

/** Where measured figures go (SCALE_OUT_FIGURES_DIR, else the temporary directory): the closing note quotes them. */
export const FIGURES_DIR = process.env.SCALE_OUT_FIGURES_DIR ?? join(tmpdir(), "pico-scale-out-figures");

/** Prints `figures` and writes them to FIGURES_DIR/<name>.json; returns the file's path. */
export function report(name: string, figures: Record<string, unknown>): string {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = join(FIGURES_DIR, `${name}.json`);
  const text = JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...figures }, null, 2);
  writeFileSync(file, `${text}\n`);
  console.log(`${name} (${file}):\n${text}`);
  return file;
}

import { availableParallelism } from "node:os";
import type { Env } from "pico-ioc";
import { InvalidOptionsError } from "../errors.js";

/** The most workers `run()` starts: beyond it a typo (`WORKERS=1000`) would fork a process storm. */
export const MAX_WORKERS = 256;

/**
 * How many processes `run()` serves with: `WORKERS` from the environment when set (the deployment
 * decides, over what the code says), else the `workers` option, else 1. `0` means one per core
 * (`os.availableParallelism()`).
 */
export function workerCount(option: number | undefined, env: Env): number {
  const fromEnv = env.WORKERS !== undefined && env.WORKERS.trim() !== "";
  const raw: unknown = fromEnv ? env.WORKERS : (option ?? 1);
  const count = typeof raw === "number" ? raw : /^\s*\d+\s*$/.test(raw as string) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(count) || count < 0 || count > MAX_WORKERS) {
    const source = fromEnv ? "WORKERS" : 'the "workers" option of run()';
    throw new InvalidOptionsError(`"workers" expected an integer from 0 to ${MAX_WORKERS} (0: one per core), got ${JSON.stringify(raw)} from ${source}`);
  }
  return count === 0 ? availableParallelism() : count;
}

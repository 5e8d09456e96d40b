import type { Logger } from "pico-ioc";
import type { ReadinessCheck } from "./readiness.js";

/** "ok", or why the check is not ready. */
export type CheckResults = Readonly<Record<string, string>>;

export interface Readiness {
  readonly ready: boolean;
  readonly checks: CheckResults;
}

/**
 * How long one probe's answer is reused. Load balancers and orchestrators probe often, sometimes
 * from several places; one run per second keeps that cheap for the store, and a dead dependency
 * still shows within a second (plus its timeout).
 */
export const READINESS_CACHE_MS = 1000;

/**
 * Runs every check in parallel, each bounded by `timeoutMs`, so a hung dependency makes the probe
 * answer "not ready" instead of hanging it. Probes within READINESS_CACHE_MS of the last answer
 * (or while a run is under way) share it.
 */
export function readinessProbe(checks: readonly ReadinessCheck[], timeoutMs: number, logger: Logger, now: () => number = performance.now.bind(performance)): () => Promise<Readiness> {
  let running: Promise<Readiness> | undefined;
  let last: { at: number; result: Readiness } | undefined;
  return () => {
    if (running) return running;
    // The cache counts from the answer, not from the start: a slow run is not followed by another at once.
    if (last && now() - last.at < READINESS_CACHE_MS) return Promise.resolve(last.result);
    // Whatever happens, the next probe after this run starts afresh: a run that failed is never shared.
    running = runAll(checks, timeoutMs, logger)
      .then((result) => {
        last = { at: now(), result };
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}

async function runAll(checks: readonly ReadinessCheck[], timeoutMs: number, logger: Logger): Promise<Readiness> {
  const reasons = await Promise.all(checks.map((check) => runOne(check, timeoutMs, logger)));
  const results: Record<string, string> = {};
  checks.forEach((check, i) => (results[check.name] = reasons[i] ?? "ok"));
  return { ready: reasons.every((reason) => reason === undefined), checks: results };
}

async function runOne(check: ReadinessCheck, timeoutMs: number, logger: Logger): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const reason: unknown = await Promise.race([Promise.resolve().then(() => check.check()), timeout]);
    // A check that answers something other than a reason or nothing is not ready, not a 500.
    return reason === undefined || typeof reason === "string" ? reason : "check failed";
  } catch (error) {
    if (error instanceof Error && (error as { expose?: unknown }).expose === true) return error.message;
    try {
      logger.warn(`readiness check "${check.name}" failed`, { event: "health.check_failed", check: check.name, err: error });
    } catch {
      // An error the logger cannot even render (a throwing getter, say) must not break the probe.
    }
    return "check failed";
  } finally {
    clearTimeout(timer);
  }
}

import type { Hono } from "hono";
import type { Logger } from "pico-ioc";
import { readinessProbe } from "./readiness-probe.js";
import type { ReadinessCheck } from "./readiness.js";

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";

/** Probes must see the state now, never a cached copy from a proxy in between. */
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (every readiness check passes; else 503).
 * Plain routes like the docs: no extension guards them, so probes need no token.
 */
export function mountHealth(hono: Hono, checks: readonly ReadinessCheck[], timeoutMs: number, logger: Logger): string[] {
  const probe = readinessProbe(checks, timeoutMs, logger);
  hono.get(HEALTH_PATH, (c) => c.json({ status: "ok" }, 200, NO_STORE));
  hono.get(READY_PATH, async (c) => {
    const { ready, checks: results } = await probe();
    if (ready) return c.json({ status: "ready", checks: results }, 200, NO_STORE);
    const failing = Object.entries(results).filter(([, reason]) => reason !== "ok");
    const detail = `Not ready: ${failing.map(([name, reason]) => `${name} (${reason})`).join(", ")}`;
    return c.json({ detail, checks: results }, 503, NO_STORE);
  });
  return [HEALTH_PATH, READY_PATH];
}

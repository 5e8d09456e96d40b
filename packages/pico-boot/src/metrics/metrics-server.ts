import { Hono } from "hono";
import { METRICS_PATH, metricsHandler } from "pico-hono";
import type { MetricsExposition } from "pico-hono";
import type { Logger } from "pico-ioc";

/** The app of the `web.metrics_port` listener: `/metrics` only (no bearer: protect the port at the network level). */
export function metricsOnlyApp(exposition: MetricsExposition, logger: Logger): Hono {
  const hono = new Hono();
  hono.get(METRICS_PATH, metricsHandler(exposition));
  hono.notFound((c) => c.json({ detail: "Not Found" }, 404));
  hono.onError((error, c) => {
    logger.error("pico-boot: /metrics failed", { err: error });
    return c.json({ detail: "Internal Server Error" }, 500);
  });
  return hono;
}

import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Metrics } from "pico-ioc";

/** Seconds; finer than prom-client's default at the low end, where a cached GET answers. */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The `route` label of a request no route matched: never its path, which a client could vary without end. */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * Observes `pico_http_request_duration_seconds{method,route,status}` once per request: one clock
 * read before and after, the route template (e.g. `/api/items/:id`) from Hono's match. Registered
 * only while `web.metrics` is on, as the outermost app-wide middleware.
 */
export function requestDuration(metrics: Metrics): MiddlewareHandler {
  const histogram = metrics.histogram("pico_http_request_duration_seconds", "HTTP request duration by method, route template and status", ["method", "route", "status"], REQUEST_DURATION_BUCKETS);
  return async function requestDurationMiddleware(c, next) {
    const start = performance.now();
    try {
      await next();
    } finally {
      histogram.observe({ method: c.req.method, route: routeOf(c), status: statusText(c.res.status) }, (performance.now() - start) / 1000);
    }
  };
}

/** The last matched route is the handler's (every middleware of a route shares its path); app-wide middleware alone means nothing matched. */
function routeOf(c: Context): string {
  const path = routePath(c, -1);
  return path === "*" || path === "/*" || path === "" ? UNMATCHED_ROUTE : path;
}

const STATUS_TEXT = new Map<number, string>();

/** Status labels as strings without a `String()` allocation per request. */
function statusText(status: number): string {
  let text = STATUS_TEXT.get(status);
  if (text === undefined) {
    text = String(status);
    if (STATUS_TEXT.size < 1000) STATUS_TEXT.set(status, text);
  }
  return text;
}

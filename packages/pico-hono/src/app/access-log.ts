import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Logger } from "pico-ioc";
import { clientAborted } from "./client-abort.js";
import { ensureRequestId } from "./request-id.js";

/**
 * The first middleware of every request (mounted while the logger writes info lines): one line per
 * request at info:
 * `{ event: "http.request", method, route, status, duration_ms, request_id }`.
 * `route` is the route template (`/api/items/:id`), `null` when no route matched: never the path
 * itself, which may carry identifiers or secrets. A request whose client went away before sending
 * all of it is one debug line (`http.client_aborted`) instead.
 */
export function accessLog(logger: Logger): MiddlewareHandler {
  return (c, next) => {
    const started = performance.now();
    const id = ensureRequestId(c);
    return next().then(() => {
      const fields = {
        event: "http.request",
        method: c.req.method,
        route: routeTemplate(c),
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        request_id: id,
      };
      if (clientAborted(c)) logger.debug("client aborted the request", { ...fields, event: "http.client_aborted" });
      else logger.info("request", fields);
    });
  };
}

/** The template of the route that answered; app-wide middleware (method ALL: this one, CORS, 404) is no route. */
export function routeTemplate(c: Context): string | null {
  const route = matchedRoutes(c)[c.req.routeIndex];
  return route && route.method !== "ALL" ? route.path : null;
}

import type { ServerResponse } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Logger } from "pico-ioc";
import { clientAborted } from "./client-abort.js";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id.js";

export interface AccessLogOptions {
  /**
   * Whether to write the line. Off when the logger's level is above info: then the middleware only
   * sets the request id, and reads no clock. Default on.
   */
  readonly enabled?: boolean;
}

/**
 * The first middleware of every request: the request id (the client's `X-Request-Id` when
 * well-formed, else a new one), available as `c.get("requestId")` and echoed in the response; then
 * one line per request at info:
 * `{ event: "http.request", method, route, status, duration_ms, request_id }`.
 * `route` is the route template (`/api/items/:id`), `null` when no route matched: never the path
 * itself, which may carry identifiers or secrets. A request whose client went away before sending
 * all of it is one debug line (`http.client_aborted`) instead.
 */
export function accessLog(logger: Logger, options: AccessLogOptions = {}): MiddlewareHandler {
  if (options.enabled === false) return identifyRequest;
  return (c, next) => {
    const started = performance.now();
    const id = identify(c);
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

/** Only the request id, as a middleware (what the access log is when it is off). */
export const identifyRequest: MiddlewareHandler = (c, next) => {
  identify(c);
  return next();
};

/** Sets the request id of `c` (see accessLog) and returns it. */
export function identify(c: Context): string {
  const id = requestIdOf(c);
  c.set("requestId" as never, id as never);
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  // On Node, on the ServerResponse: whoever builds the response (a handler's own Response included)
  // it goes out with it, and Hono's response keeps its plain headers (cheaper to write than a
  // Headers object). Elsewhere, before the handler runs, so that every response built on `c` has it.
  if (outgoing && typeof outgoing.setHeader === "function") outgoing.setHeader(REQUEST_ID_HEADER, id);
  else c.header(REQUEST_ID_HEADER, id);
  return id;
}

/** The template of the route that answered; app-wide middleware (method ALL: this one, CORS, 404) is no route. */
function routeTemplate(c: Context): string | null {
  const route = matchedRoutes(c)[c.req.routeIndex];
  return route && route.method !== "ALL" ? route.path : null;
}

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { InvalidWebSettingError } from "../errors.js";

/** Request headers a page on an allowed origin may send: the bearer, JSON bodies, its request id, an agent's credential. */
export const CORS_ALLOWED_HEADERS: readonly string[] = ["Authorization", "Content-Type", "X-Request-Id", "X-Agent-Authorization"];

/**
 * Response headers such a page may read besides the CORS-safelisted ones: the request id (to quote it
 * in a bug report), `Retry-After` (when to retry a 429 or 503), `WWW-Authenticate` (whether a 401
 * means "refresh your token").
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = ["X-Request-Id", "Retry-After", "WWW-Authenticate"];

/** The methods a pico-hono route can have. */
const ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/** How long a browser may reuse a preflight's answer: short, so that a removed origin stops working soon (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The app-wide CORS middleware for `web.cors_origins` (exact origins), or `undefined` when the list
 * is empty (the default: no middleware at all, so no cost). Mounted before every route, so a
 * preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered 204 by Hono's `cors`
 * before any guard runs: browsers never send credentials on a preflight. An `OPTIONS` that is not a
 * preflight goes on to the routes (405 with `Allow`, as without CORS).
 *
 * Every other answer gets `Vary: Origin`, and for a listed origin `Access-Control-Allow-Origin`
 * and `Access-Control-Expose-Headers`, as Hono's `cors` would set them, but written into the
 * finished response's headers once: Hono's `cors` also replaces the response (twice), which turns
 * it into a stream and made the cached GET about 3 times as costly (bench/one-off/nosniff-cost.mjs).
 *
 * Credentials (cookies) are not allowed: the API takes bearer tokens in `Authorization`, which a
 * page sends explicitly, so a cross-origin page can never ride on a user's ambient session.
 */
export function corsMiddleware(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins.map(checkOrigin));
  const preflight = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ALLOWED_METHODS,
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: false,
  });
  const exposed = CORS_EXPOSED_HEADERS.join(",");
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return c.req.header("access-control-request-method") === undefined ? next() : preflight(c, next);
    await next();
    const origin = c.req.header("origin");
    const allow = origin !== undefined && allowed.has(origin) ? origin : undefined;
    try {
      addCorsHeaders(c.res.headers, allow, exposed);
    } catch {
      // Immutable headers (a `fetch()` response or `Response.redirect()` returned by a route): copy.
      const copy = new Response(c.res.body, c.res);
      // Assigning over a response would merge the old one's headers into the new one: clear it first.
      c.res = undefined;
      c.res = copy;
      addCorsHeaders(copy.headers, allow, exposed);
    }
  };
}

function addCorsHeaders(headers: Headers, origin: string | undefined, exposed: string): void {
  // Caches must not hand one origin's answer (with or without the header) to another.
  headers.append("Vary", "Origin");
  if (origin === undefined) return;
  headers.set("Access-Control-Allow-Origin", origin);
  headers.set("Access-Control-Expose-Headers", exposed);
}

/**
 * An origin as browsers send it in `Origin`: scheme, host and port only, lower case, the default
 * port left out. Anything else would never match, so it is a boot error rather than a silent no.
 */
function checkOrigin(origin: string, index: number): string {
  const where = `web.cors_origins[${index}] (WEB__CORS_ORIGINS)`;
  const expected = 'an origin such as "https://app.example.com" or "http://localhost:5173" (scheme, host, optional port; no path, no trailing slash)';
  if (origin === "*" || origin === "null") {
    throw new InvalidWebSettingError(`${where} expected ${expected}, got ${JSON.stringify(origin)}: list the exact origins that may call the API`);
  }
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new InvalidWebSettingError(`${where} expected ${expected}, got ${JSON.stringify(origin)}`);
  }
  if ((parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.origin !== origin) {
    const hint = parsed.origin !== "null" && parsed.origin !== origin ? ` (did you mean ${JSON.stringify(parsed.origin)}?)` : "";
    throw new InvalidWebSettingError(`${where} expected ${expected}, got ${JSON.stringify(origin)}${hint}`);
  }
  return origin;
}

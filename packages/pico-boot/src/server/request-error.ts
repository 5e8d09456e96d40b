import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestError } from "@hono/node-server";
import { setResponseHeaders } from "./response-headers.js";

/**
 * What @hono/node-server refuses before the app sees the request (it would answer an empty 400),
 * by its error message, with a detail saying what to fix.
 */
const REQUEST_ERRORS: Readonly<Record<string, string>> = {
  "Missing host header": "Missing Host header: HTTP/1.1 requires one, and this server needs it with HTTP/1.0 too",
  "Invalid host header": "Invalid Host header",
  "Invalid URL": "Invalid Host header or request target",
  "Invalid absolute URL": "Invalid absolute URL in the request line",
  "Backslash in request path": "Backslash in the request path",
};

const jsonHeaders = (body: string) => ({ "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) });

/**
 * @hono/node-server's `errorHandler`: a request it cannot turn into a `Request` (no Host, a bad Host,
 * a bad target) → 400 JSON and the connection closes, as Node does for its own 400s; anything else
 * (the app's fetch threw past Hono's onError, which pico-hono never lets happen) → 500 JSON, never a
 * bare status line.
 */
export function answerRequestError(error: unknown): Response {
  if (error instanceof RequestError) {
    const body = JSON.stringify({ detail: REQUEST_ERRORS[error.message] ?? "Malformed HTTP request" });
    return new Response(body, { status: 400, headers: { ...jsonHeaders(body), Connection: "close" } });
  }
  const body = JSON.stringify({ detail: "Internal Server Error" });
  return new Response(body, { status: 500, headers: jsonHeaders(body) });
}

const ASTERISK_BODY = JSON.stringify({ detail: 'The request target "*" (as in OPTIONS *) is not supported: send the request to a path' });

/**
 * `OPTIONS * HTTP/1.1` (the server-wide form) has no path for a route to match; @hono/node-server
 * would answer an empty 400. Returns true when it answered.
 */
export function answerAsteriskTarget(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url !== "*") return false;
  res.writeHead(400, { ...jsonHeaders(ASTERISK_BODY), Connection: "close" });
  res.end(ASTERISK_BODY);
  return true;
}

const EXPECTATION_BODY = JSON.stringify({ detail: 'Unsupported Expect header: only "100-continue" is' });

/**
 * An `Expect` other than 100-continue: Node would answer an empty 417. The body, if any, is not read:
 * close. Node emits this instead of calling the request listener, so its headers are set here too.
 */
export function answerExpectationFailed(req: IncomingMessage, res: ServerResponse): void {
  setResponseHeaders(req, res);
  res.writeHead(417, { ...jsonHeaders(EXPECTATION_BODY), Connection: "close" });
  res.end(EXPECTATION_BODY);
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { assignRequestId } from "pico-hono";

/**
 * Sent on every response of the server, whoever writes it (a route, a 404/405, an error, Node's own
 * 4xx answers): browsers must never guess a content type, so a JSON error echoing user input is
 * never run as HTML or script.
 */
export const NOSNIFF = ["X-Content-Type-Options", "nosniff"] as const;

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** The headers every answer carries: nosniff, and the request id the access log and error lines name. */
export function setResponseHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader(...NOSNIFF);
  assignRequestId(req, res);
}

/**
 * Wraps the request listener so that setResponseHeaders runs once, on Node's response, before
 * anything else: cheaper than a Hono middleware (bench/one-off/nosniff-cost.mjs), and it also covers
 * the answers @hono/node-server writes itself.
 */
export function withResponseHeaders(listener: Listener): Listener {
  return (req, res) => {
    setResponseHeaders(req, res);
    return listener(req, res);
  };
}

import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { incomingMessage } from "./node-request.js";

export const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * Hono's request-id rules, stricter on length: word characters, `-` and `=`, at most 128. Nothing
 * else can reach a log line from the client through this header (no quotes, spaces or newlines).
 */
const WELL_FORMED = /^[\w\-=]{1,128}$/;

/** The request's own `X-Request-Id` when well-formed, else a new UUID. */
export function requestIdOf(c: Context): string {
  // On Node, the parsed header object is cheaper than building a WHATWG Headers for one lookup.
  const incoming = incomingMessage(c);
  const given = incoming ? incoming.headers["x-request-id"] : c.req.header(REQUEST_ID_HEADER);
  return typeof given === "string" && WELL_FORMED.test(given) ? given : randomUUID();
}

/** The id of the request `c` serves (set by the access log, first thing for every request), or undefined outside one. */
export function requestId(c: Context): string | undefined {
  return c.get("requestId" as never) as string | undefined;
}

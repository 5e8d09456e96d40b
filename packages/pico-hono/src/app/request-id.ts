import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import { incomingMessage } from "./node-request.js";

export const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * Hono's request-id rules, stricter on length: word characters, `-` and `=`, at most 128. Nothing
 * else can reach a log line from the client through this header (no quotes, spaces or newlines).
 */
const WELL_FORMED = /^[\w\-=]{1,128}$/;

/** Where a Node request keeps its id (assignRequestId). */
const ID = Symbol("pico-hono.request-id");

type IdentifiedRequest = IncomingMessage & { [ID]?: string };

/** The client's `X-Request-Id` when well-formed, else a new UUID. */
function chooseId(given: string | undefined | null): string {
  return typeof given === "string" && WELL_FORMED.test(given) ? given : randomUUID();
}

/**
 * Gives a Node request its id and echoes it on the response, before anything else runs: whoever
 * answers (a route, a 404, an error, @hono/node-server itself), the answer carries it. pico-boot's
 * server calls this for every request: one `setHeader` on Node's response costs far less than a Hono
 * middleware, which would make every request a composed chain.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const header = req.headers["x-request-id"];
  const id = chooseId(Array.isArray(header) ? undefined : header);
  (req as IdentifiedRequest)[ID] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * The id of the request `c` serves: the one assignRequestId gave it on Node; for an in-process
 * request (`app.request()`), the one the access log gave it, or undefined when the access log is off.
 */
export function requestId(c: Context): string | undefined {
  const incoming = incomingMessage(c) as IdentifiedRequest | undefined;
  return incoming?.[ID] ?? (c.get("requestId" as never) as string | undefined);
}

/**
 * The request id of `c`, given here if it has none yet (an in-process request, or a Node server
 * other than pico-boot's): then kept on `c` and echoed on the response Hono builds.
 */
export function ensureRequestId(c: Context): string {
  const known = requestId(c);
  if (known !== undefined) return known;
  const id = chooseId(c.req.header(REQUEST_ID_HEADER));
  c.set("requestId" as never, id as never);
  c.header(REQUEST_ID_HEADER, id);
  return id;
}

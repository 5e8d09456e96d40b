import type { Context } from "hono";
import { incomingMessage } from "./node-request.js";

/**
 * Whether the client closed the connection before its request was complete (a body cut off
 * mid-way). Node then destroys the request stream, and reading the body fails with "aborted"
 * (ECONNRESET): that is the client's doing, not a server error, and nobody is left to answer.
 */
export function clientAborted(c: Context): boolean {
  const incoming = incomingMessage(c);
  return incoming !== undefined && incoming.destroyed && !incoming.complete;
}

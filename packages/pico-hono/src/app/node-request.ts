import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/**
 * The Node.js request behind `c` when the app runs on @hono/node-server (`c.env.incoming`);
 * undefined elsewhere, e.g. in-process `app.request()` calls. For what Hono's Request does not
 * give cheaply: the peer address, already-parsed headers, the body stream.
 */
export function incomingMessage(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming && typeof incoming.on === "function" && typeof incoming.headers === "object" ? incoming : undefined;
}

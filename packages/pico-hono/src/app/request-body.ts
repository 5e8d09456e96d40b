import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { HTTPException } from "../errors.js";

const utf8 = new TextDecoder();

/**
 * The request body as text, as `c.req.text()` gives it (UTF-8, a BOM dropped), and cached there too.
 *
 * On @hono/node-server, a body with a Content-Length is read straight from Node's request stream:
 * `c.req.text()` would first build a WHATWG Request around it and pipe it through web streams,
 * which costs more than the whole sign-in outside its cryptography. The body limit still holds:
 * the route's body-limit middleware has checked the declared length, and Node delivers no more
 * bytes than it. Anything else (chunked bodies, which the limit middleware counts through its own
 * stream; a body someone started reading; other runtimes) goes through Hono.
 */
export function readBodyText(c: Context): Promise<string> {
  const incoming = unreadNodeBody(c);
  if (!incoming) return c.req.text();
  const text = readAll(incoming);
  (c.req.bodyCache as { text?: Promise<string> }).text = text;
  return text;
}

function unreadNodeBody(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.httpVersionMajor !== 1 || typeof incoming.on !== "function") return undefined;
  const { headers } = incoming;
  if (headers["content-length"] === undefined || headers["transfer-encoding"] !== undefined) return undefined;
  // null: nobody has attached to the stream (a WHATWG body made from it would have).
  if (incoming.readableFlowing !== null || incoming.readableEnded || Object.keys(c.req.bodyCache).length > 0) return undefined;
  return incoming;
}

function readAll(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.once("end", () => resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    incoming.once("error", (error) => reject(incomplete(error)));
    incoming.once("close", () => {
      if (!incoming.complete) reject(incomplete());
    });
  });
}

function incomplete(cause?: unknown): HTTPException {
  return new HTTPException(400, "Request body incomplete: the connection closed before its end", { cause });
}

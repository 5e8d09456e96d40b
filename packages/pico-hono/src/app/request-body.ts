import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "../errors.js";
import type { RouteInterceptor } from "./extension.js";
import { incomingMessage } from "./node-request.js";

const utf8 = new TextDecoder();

/**
 * The request body as text, as `c.req.text()` gives it (UTF-8, a BOM dropped), and cached there too.
 *
 * On @hono/node-server, a body with a Content-Length is read straight from Node's request stream:
 * `c.req.text()` would first build a WHATWG Request around it and pipe it through web streams,
 * which costs more than the whole sign-in outside its cryptography. The body limit still holds:
 * bodyLimitInterceptor has checked the declared length, and Node delivers no more bytes than it.
 * Anything else (chunked bodies, which Hono's limit counts through its own stream; a body someone
 * started reading; other runtimes) goes through Hono.
 */
export function readBodyText(c: Context): Promise<string> {
  const incoming = unreadNodeBody(c);
  if (!incoming) return c.req.text();
  const text = readAll(incoming);
  (c.req.bodyCache as { text?: Promise<string> }).text = text;
  return text;
}

/**
 * The route's body limit (413 above `maxSize` bytes). With a declared length on @hono/node-server
 * it only compares numbers: Hono's own middleware would build the WHATWG body to ask whether there
 * is one. Anything else is Hono's middleware, which counts the bytes as they come.
 */
export function bodyLimitInterceptor(maxSize: number, tooLarge: (c: Context) => Response): RouteInterceptor {
  const counting = bodyLimit({ maxSize, onError: tooLarge });
  return (c, proceed) => {
    const declared = nodeRequest(c)?.headers["content-length"];
    if (declared !== undefined) return Number(declared) > maxSize ? tooLarge(c) : proceed();
    let response: Response | undefined;
    return counting(c, async () => {
      response = await proceed();
    }).then((early) => early ?? (response as Response));
  };
}

/** The Node request behind `c`: HTTP/1, with a Content-Length and no Transfer-Encoding. */
function nodeRequest(c: Context): IncomingMessage | undefined {
  const incoming = incomingMessage(c);
  if (!incoming || incoming.httpVersionMajor !== 1) return undefined;
  const { headers } = incoming;
  return headers["content-length"] === undefined || headers["transfer-encoding"] !== undefined ? undefined : incoming;
}

function unreadNodeBody(c: Context): IncomingMessage | undefined {
  const incoming = nodeRequest(c);
  // null: nobody has attached to the stream (a WHATWG body made from it would have).
  if (!incoming || incoming.readableFlowing !== null || incoming.readableEnded || Object.keys(c.req.bodyCache).length > 0) return undefined;
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

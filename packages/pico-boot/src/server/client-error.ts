import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { NOSNIFF } from "./response-headers.js";

/** Node's parser errors with their answer; anything else it refuses is a 400. */
const ANSWERS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "Request header fields are larger than the server accepts"],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large", "Chunk extensions are larger than the server accepts"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "Request timeout: the request was not received in time"],
};
const MALFORMED = [400, "Bad Request", "Malformed HTTP request"] as const;

/** A whole response for a raw socket: `{"detail": ...}` JSON, nosniff, and the connection closes. */
export function rawJsonResponse(status: number, reason: string, detail: string, extraHeaders = ""): string {
  const body = JSON.stringify({ detail });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${NOSNIFF[0]}: ${NOSNIFF[1]}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`;
}

/**
 * The answer to a request Node refuses before any application code runs (headers over
 * --max-http-header-size, bytes that are not HTTP, a client too slow for headersTimeout or
 * requestTimeout): the same `{"detail": ...}` JSON as every other error, then the connection closes.
 * Node's own handler sends a bare status line.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way cannot be replaced, and a reset connection cannot be answered.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, detail] = ANSWERS[error.code ?? ""] ?? MALFORMED;
  socket.end(rawJsonResponse(status, reason, detail));
}

const CONNECT_ANSWER = rawJsonResponse(405, "Method Not Allowed", "CONNECT is not supported: this server is not a proxy");

/** `CONNECT host:port`: without a listener Node drops the connection without a word. */
export function answerConnect(_req: IncomingMessage, socket: Duplex): void {
  socket.on("error", () => socket.destroy());
  socket.end(CONNECT_ANSWER);
}

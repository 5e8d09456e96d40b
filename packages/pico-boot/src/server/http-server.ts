import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { ListenError } from "../errors.js";
import { answerClientError, answerConnect } from "./client-error.js";
import { answerAsteriskTarget, answerExpectationFailed, answerRequestError } from "./request-error.js";
import { withResponseHeaders } from "./response-headers.js";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Stops accepting, lets in-flight requests finish, then closes what is left after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/** Slow-client limits; Node's defaults (60 s for headers, 300 s per request, checked every 30 s) let a slow-loris hold sockets for minutes. */
export interface ServerTimeouts {
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** `portSetting`: what sets `port`, named by a ListenError (`PORT` unless told). */
export async function listen(hono: Hono, port: number, host: string, timeouts: ServerTimeouts = {}, portSetting?: string): Promise<RunningServer> {
  const headersTimeout = timeouts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(timeouts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, headersTimeout);
  const toHono = getRequestListener(hono.fetch, { errorHandler: answerRequestError });
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts only every connectionsCheckingInterval (default 30 s): check often
      // enough that a client dribbling its headers is cut off close to headersTimeout.
      connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(headersTimeout / 4))),
      // Node answers a missing Host with an empty 400; without this check, @hono/node-server finds it
      // and answerRequestError gives the JSON detail.
      requireHostHeader: false,
    },
    withResponseHeaders((req, res) => answerAsteriskTarget(req, res) || toHono(req, res)),
  );
  // Every answer Node would write itself, as JSON with a detail.
  server.on("clientError", answerClientError);
  server.on("checkExpectation", answerExpectationFailed);
  server.on("connect", answerConnect);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new ListenError(host, port, error, portSetting)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host: address.address,
    close: (timeoutMs) => closeGracefully(server, timeoutMs),
  };
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // A keep-alive socket goes idle when its in-flight response ends; close it then, not at its keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 20);
    deadline.unref();
    sweep.unref();
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

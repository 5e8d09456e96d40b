/**
 * A real revocation feed on 127.0.0.1, port 0, steered through `state`:
 *
 *   const feed = await revocationFeed();
 *   feed.state.body = { items: [{ jti: "a" }] };   // or status: 500, hang: true, delayMs: 50
 *   ... feed.url, feed.requests ...
 *   await feed.close();
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FeedState {
  /** Sent as JSON, or verbatim when a string. */
  body: unknown;
  status: number;
  /** Never answer (the client's timeout must end the request). */
  hang: boolean;
  /** Answer after this long, so concurrent requests overlap. */
  delayMs: number;
}

export interface FeedRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
}

export interface RevocationFeed {
  readonly url: string;
  readonly state: FeedState;
  readonly requests: FeedRequest[];
  close(): Promise<void>;
}

export const FEED_PATH = "/api/v1/auth/revoked-jtis";

export async function revocationFeed(): Promise<RevocationFeed> {
  const state: FeedState = { body: { items: [] }, status: 200, hang: false, delayMs: 0 };
  const requests: FeedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, path: req.url, authorization: req.headers.authorization, accept: req.headers.accept });
    if (state.hang) return;
    const { status, body } = state;
    setTimeout(() => res.writeHead(status, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body)), state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${FEED_PATH}`,
    state,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback URL nothing listens on: connections are refused. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${FEED_PATH}`;
}

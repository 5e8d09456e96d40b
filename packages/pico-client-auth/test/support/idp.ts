/**
 * A stand-in identity provider on 127.0.0.1, port 0, for discovery: each path answers what the test
 * put in `routes` (every other path 404), and `requests` lists the paths asked, in order.
 *
 *   const idp = await standInIdp();
 *   idp.routes.set("/.well-known/openid-configuration", { body: { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` } });
 *   idp.routes.set("/keys", { body: { keys: [key.jwk] } });
 *   ... idp.requests ...
 *   await idp.close();
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface IdpRoute {
  /** 200 unless set. */
  readonly status?: number;
  /** Sent as JSON, or verbatim when a string. */
  readonly body?: unknown;
  /** A redirect's target (with a 3xx `status`). */
  readonly location?: string;
  /** Never answer: the client's timeout must end the request. */
  readonly hang?: boolean;
}

export interface StandInIdp {
  /** `http://127.0.0.1:<port>`: the issuer, or its origin. */
  readonly origin: string;
  readonly routes: Map<string, IdpRoute>;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function standInIdp(): Promise<StandInIdp> {
  const routes = new Map<string, IdpRoute>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "";
    requests.push(path);
    const route = routes.get(path) ?? { status: 404, body: { detail: "Not Found" } };
    if (route.hang) return;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (route.location) headers.location = route.location;
    res.writeHead(route.status ?? 200, headers).end(typeof route.body === "string" ? route.body : JSON.stringify(route.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

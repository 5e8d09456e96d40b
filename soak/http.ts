import { Agent, request } from "node:http";
import { HarnessError } from "./harness-error.js";

const REQUEST_TIMEOUT_MS = 15_000;

export interface Answer {
  readonly status: number;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

/** Where a request goes: the server's base URL, and the keep-alive agent all of the soak's requests share. */
export interface Endpoint {
  readonly url: string;
  readonly agent: Agent;
}

export interface RequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** The one agent of a soak run; its owner destroys it at the end. */
export function newAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 64 });
}

export function call(endpoint: Endpoint, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers["content-length"] = Buffer.byteLength(options.body);
    const req = request(`${endpoint.url}${path}`, { method, agent: endpoint.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new HarnessError(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

export const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

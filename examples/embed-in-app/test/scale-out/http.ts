import { Agent, request } from "node:http";

export interface Answer<T = unknown> {
  readonly status: number;
  /** The parsed JSON body, or undefined when there was none (204) or it was not JSON. */
  readonly body: T;
  readonly text: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The connection's address and port on this side: they tell which worker process accepted it (accepting-process.ts). */
  readonly localAddress: string;
  readonly localPort: number;
}

export interface CallOptions {
  readonly method?: string;
  readonly body?: unknown;
  /** An access token, sent as `Authorization: Bearer`. */
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The source address of the connection (any 127.0.0.0/8 address on Linux): a client of its own to the server's limits. */
  readonly localAddress?: string;
  /** A keep-alive agent to send it on; by default a new connection, closed after the answer. */
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

/**
 * One HTTP request to `base` + `path` over node:http rather than fetch: a source address can be
 * chosen (each test client is a loopback address of its own, as in behind-nginx.test.ts), and by
 * default every request opens a connection of its own, so a killed instance's pooled socket is
 * never reused and a cluster primary hands each request to the next worker.
 */
export function call<T = unknown>(base: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const { method = options.body === undefined ? "GET" : "POST", body, token, localAddress, agent, timeoutMs = 10_000 } = options;
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) headers["content-type"] = "application/json";
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress, agent: agent ?? false, timeout: timeoutMs },
      (res) => {
        // Read now: once answered, a kept-alive socket goes back to its agent.
        const localPort = res.socket?.localPort ?? 0;
        const localAddress = res.socket?.localAddress ?? "";
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          let parsed: unknown;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, text, headers: res.headers, localAddress, localPort });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.href}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** The `detail` of a JSON error body, or undefined. */
export const detail = (answer: Answer): string | undefined => (answer.body as { detail?: unknown } | undefined)?.detail as string | undefined;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` every `everyMs` until it returns true; the milliseconds it took, or throws after
 * `timeoutMs` naming `what`.
 */
export async function within(what: string, timeoutMs: number, probe: () => Promise<boolean>, everyMs = 10): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

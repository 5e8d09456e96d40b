import { createHash, timingSafeEqual } from "node:crypto";
import type { Handler } from "hono";

/** What `GET /metrics` serves: the text of a metrics registry (pico-boot provides prom-client's). */
export interface MetricsExposition {
  /** e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  text(): Promise<string>;
}

export const METRICS_PATH = "/metrics";

/**
 * Serves the exposition; with `bearer`, only to `Authorization: Bearer <bearer>` (compared in
 * constant time, over digests so that the length leaks nothing either), else 401.
 */
export function metricsHandler(exposition: MetricsExposition, bearer?: string): Handler {
  const expected = bearer === undefined ? undefined : digest(bearer);
  return async (c) => {
    if (expected && !matches(c.req.header("authorization"), expected)) {
      return c.json({ detail: "Not authenticated: /metrics requires the metrics bearer token" }, 401, { "WWW-Authenticate": 'Bearer realm="metrics"' });
    }
    return c.body(await exposition.text(), 200, { "Content-Type": exposition.contentType, "Cache-Control": "no-store" });
  };
}

function matches(header: string | undefined, expected: Buffer): boolean {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match !== null && timingSafeEqual(digest(match[1] as string), expected);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

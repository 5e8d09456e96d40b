import type { Logger } from "pico-ioc";
import type { RevocationCheck, RevocationStatus } from "./revocation-check.js";

export interface RemoteRevocationsOptions {
  /** GET answers `{"items": [{"jti": "..."}, ...]}`; already checked to be https (or loopback). */
  readonly url: string;
  /** A token is accepted only against a list fetched successfully at most this long ago. */
  readonly ttlMs: number;
  /** On a failed refresh: true checks against the last list (or accepts), false answers "unavailable". */
  readonly failOpen: boolean;
  /** Sent as `Authorization: Bearer ...`; never logged. */
  readonly bearer?: string | undefined;
  readonly logger: Logger;
  /** Default 5 s, upstream's fixed timeout. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** While the feed fails, one try per second at most: fast recovery (fail-closed blocks every request), no hammering. */
const RETRY_BACKOFF_MS = 1000;
/** An outage would otherwise log once per retry. */
const WARNING_INTERVAL_MS = 60_000;

/**
 * A revocation list polled from upstream's denylist feed. The whole set is replaced on each fetch.
 * - A list younger than `ttlMs` answers synchronously: no await on the request path.
 * - An older one is refetched by the first request that needs it; concurrent requests wait for that
 *   same fetch.
 * - A failed fetch keeps the old list but does not make it fresh: its ids stay revoked; any other id is
 *   "unavailable" (a 503) until a fetch succeeds, or, fail-open, "not-revoked".
 */
export class RemoteRevocations implements RevocationCheck {
  readonly enabled = true;
  readonly #options: RemoteRevocationsOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #revoked: ReadonlySet<string> | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #retryAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #failing = false;
  #warnedAt = Number.NEGATIVE_INFINITY;
  #unreported = 0;

  constructor(options: RemoteRevocationsOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  status(jti: string): RevocationStatus | Promise<RevocationStatus> {
    const now = this.#now();
    if (this.#revoked !== undefined && now - this.#fetchedAt <= this.#options.ttlMs) return this.#revoked.has(jti) ? "revoked" : "not-revoked";
    if (this.#inflight === undefined && now >= this.#retryAt) this.#inflight = this.#load().finally(() => (this.#inflight = undefined));
    if (this.#inflight !== undefined) return this.#inflight.then(() => this.#answer(jti));
    return this.#answer(jti);
  }

  /** After a fetch (or during the retry backoff): the fresh list, else what the failure mode says. */
  #answer(jti: string): RevocationStatus {
    // Listed once is revoked for good (until it expires), however old the list: a 401, not a 503.
    if (this.#revoked?.has(jti)) return "revoked";
    const fresh = this.#revoked !== undefined && this.#now() - this.#fetchedAt <= this.#options.ttlMs;
    return fresh || this.#options.failOpen ? "not-revoked" : "unavailable";
  }

  /** Never rejects: a failure is remembered, logged, and turned into an answer by `#answer`. */
  async #load(): Promise<void> {
    const { url, bearer, timeoutMs = 5000 } = this.#options;
    try {
      const headers: Record<string, string> = { accept: "application/json" };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      // redirect "error": a redirect could lead to plain http, or carry the bearer to another host.
      const response = await this.#fetch(url, { headers, redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`revocation feed ${url} answered ${response.status}`);
      }
      this.#revoked = parseItems(await response.json());
      // Stamped on arrival: the list's age is counted from when we had it.
      this.#fetchedAt = this.#now();
      this.#retryAt = Number.NEGATIVE_INFINITY;
      if (this.#failing) this.#options.logger.info(`pico-client-auth: the revocation list from ${url} is available again`, { event: "auth.revocation_feed_recovered", url });
      this.#failing = false;
    } catch (error) {
      this.#failing = true;
      this.#retryAt = this.#now() + RETRY_BACKOFF_MS;
      this.#warn(error);
    }
  }

  #warn(error: unknown): void {
    const now = this.#now();
    if (now - this.#warnedAt < WARNING_INTERVAL_MS) {
      this.#unreported++;
      return;
    }
    const consequence = !this.#options.failOpen
      ? "answering 503 to every token until it is back"
      : this.#revoked
        ? "fail-open: checking tokens against the last list fetched"
        : "fail-open: accepting tokens without any revocation check";
    const more = this.#unreported > 0 ? ` (${this.#unreported} more failed fetches since the last warning)` : "";
    this.#options.logger.warn(`pico-client-auth: cannot refresh the revocation list from ${this.#options.url}; ${consequence}${more}`, {
      event: "auth.revocation_feed_failed",
      url: this.#options.url,
      fail_open: this.#options.failOpen,
      suppressed: this.#unreported,
      err: error,
    });
    this.#warnedAt = now;
    this.#unreported = 0;
  }
}

/**
 * `{"items": [...]}`: `null` means no revocations, an entry without a string `jti` is skipped.
 * Anything else is a failed fetch: an error page must not read as "nothing is revoked".
 */
function parseItems(body: unknown): Set<string> {
  const items = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as { items?: unknown }).items : undefined;
  if (items === null) return new Set();
  if (!Array.isArray(items)) throw new Error('revocation feed body has no "items" array');
  const ids = new Set<string>();
  for (const item of items) {
    const jti = item !== null && typeof item === "object" ? (item as { jti?: unknown }).jti : undefined;
    if (typeof jti === "string" && jti !== "") ids.add(jti);
  }
  return ids;
}

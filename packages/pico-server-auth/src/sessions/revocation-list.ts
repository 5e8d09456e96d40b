import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { LOCAL_REVOCATIONS } from "pico-client-auth/contract";
import type { LocalRevocations } from "pico-client-auth/contract";
import { ServerAuthSettings } from "../settings.js";
import { REVOCATION_STORE } from "./revocation-store.js";
import type { RevocationStore } from "./revocation-store.js";
import type { IssuedAccessToken } from "./session-store.js";

/** How long after a failed reload the next try comes. */
export const RELOAD_RETRY_MS = 1000;

/**
 * The unexpired access tokens of revoked sessions, in memory: the guard of this same Application asks
 * `isRevoked` on every request (a map lookup), and the revocation feed publishes `items()`.
 */
@component({ provides: LOCAL_REVOCATIONS })
export class RevocationList implements LocalRevocations, OnInit, OnDestroy {
  readonly issuer: string;
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly #store: RevocationStore;
  readonly #logger: Logger;
  #revoked = new Map<string, number>();
  #syncedAt = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(settings: ServerAuthSettings, @inject(REVOCATION_STORE) store: RevocationStore, @inject(LOGGER) logger: Logger) {
    this.issuer = settings.issuer;
    this.#store = store;
    this.#logger = logger;
  }

  onInit(): Promise<void> {
    return this.reload();
  }

  onDestroy(): void {
    clearTimeout(this.#retry);
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Rereads the store: called after every revocation, so expired entries fall away then too. */
  async reload(): Promise<void> {
    const tokens = (await this.#store.revokedSince(undefined, this.now())).revoked;
    this.#revoked = new Map(tokens.map((t) => [t.jti, t.exp]));
    this.#syncedAt = Date.now();
  }

  /** When the list was last read from the store in full (milliseconds since the epoch). */
  get syncedAt(): number {
    return this.#syncedAt;
  }

  /**
   * Rereads the store after a revocation that is committed already: never throws, since the caller's
   * answer must say that it took effect. A failed reread is tried again every RELOAD_RETRY_MS until
   * it succeeds; meanwhile the list still lacks the new entries (the store is failing anyway).
   */
  async revoked(): Promise<void> {
    try {
      await this.reload();
      clearTimeout(this.#retry);
      this.#retry = undefined;
    } catch (error) {
      if (!this.#retry) this.#logger.error("pico-server-auth: the revocation list could not be reread after a revocation; retrying", { err: error });
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => void this.revoked(), RELOAD_RETRY_MS).unref();
    }
  }

  items(): IssuedAccessToken[] {
    const now = this.now();
    return [...this.#revoked].filter(([, exp]) => exp > now).map(([jti, exp]) => ({ jti, exp }));
  }
}

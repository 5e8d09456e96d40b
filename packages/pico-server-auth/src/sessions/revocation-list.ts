import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { LOCAL_REVOCATIONS } from "pico-client-auth/contract";
import type { LocalRevocations } from "pico-client-auth/contract";
import { StoreUnavailableError } from "../errors.js";
import { ServerAuthSettings } from "../settings.js";
import { CHANGE_SIGNAL } from "../sync/change-signal.js";
import type { ChangeSignal } from "../sync/change-signal.js";
import { StoreFollower } from "../sync/store-follower.js";
import { REVOCATION_STORE } from "./revocation-store.js";
import type { RevocationStore } from "./revocation-store.js";
import type { IssuedAccessToken } from "./session-store.js";

/**
 * The unexpired access tokens of revoked sessions, in memory: the guard of this same Application asks
 * `isRevoked` on every request (a map lookup), and the revocation feed publishes `items()`.
 *
 * It follows the shared revocation feed (REVOCATION_STORE) with a cursor: everything at boot, then
 * what was revoked since, read when another instance signals a revocation, every `sync_interval_ms`
 * (the fallback when signals are lost), and at once after a revocation here. `syncedAt` says how
 * current the view is: pico-client-auth refuses to vouch for tokens against a view older than
 * `auth_client.revocation_ttl_seconds` (503, unless `revocation_fail_open`).
 */
@component({ provides: LOCAL_REVOCATIONS })
export class RevocationList implements LocalRevocations, OnInit, OnDestroy {
  readonly issuer: string;
  /** `server_auth.sync_interval_ms`: the poll, the reread that keeps `syncedAt` recent when nothing changes. */
  readonly syncIntervalMs: number;
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly #store: RevocationStore;
  readonly #follower: StoreFollower;
  /** jti → exp. */
  readonly #revoked = new Map<string, number>();
  #cursor: string | undefined;
  #syncedAt = 0;
  /** The earliest `exp` in the list: until then, no entry has expired. */
  #nextExpiry = Infinity;

  constructor(settings: ServerAuthSettings, @inject(REVOCATION_STORE) store: RevocationStore, @inject(CHANGE_SIGNAL) signal: ChangeSignal, @inject(LOGGER) logger: Logger) {
    this.issuer = settings.issuer;
    this.syncIntervalMs = settings.syncIntervalMs;
    this.#store = store;
    this.#follower = new StoreFollower({ topic: "revocations", signal, intervalMs: settings.syncIntervalMs, logger, what: "revocations", read: () => this.#read() });
  }

  /** Boot fails when the feed cannot be read: without it, no token could be vouched for. */
  async onInit(): Promise<void> {
    await this.#read();
    this.#follower.start();
  }

  onDestroy(): void {
    this.#follower.stop();
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Reads what was revoked since the last read, now (coalesced with reads already asked for); rejects when the store cannot answer. */
  reload(): Promise<void> {
    return this.#follower.reread();
  }

  /** When the view was last known complete (milliseconds since the epoch): the start of the last successful read. */
  get syncedAt(): number {
    return this.#syncedAt;
  }

  /**
   * After a revocation that is committed already: reads it in, and signals the other instances.
   * Never throws, since the caller's answer must say that it took effect; a failed read is logged and
   * caught up by the next poll (meanwhile the store is failing anyway, and the view grows stale).
   */
  async revoked(): Promise<void> {
    await this.#follower.reread().catch(() => {});
    await this.#follower.publish();
  }

  /**
   * The revoked, unexpired tokens, for the revocation feed. Throws StoreUnavailableError (503) while
   * the last read of the store failed: the view may lack revocations made on other instances since,
   * and a remote guard would take a 200 for a current list (its revocation_ttl_seconds counts from
   * its fetch); a 503 makes it apply its own stale-feed rule (revocation_fail_open) instead.
   */
  items(): IssuedAccessToken[] {
    if (this.#follower.failing) throw new StoreUnavailableError("the revocation list cannot be read from the store");
    const now = this.now();
    return [...this.#revoked].filter(([, exp]) => exp > now).map(([jti, exp]) => ({ jti, exp }));
  }

  async #read(): Promise<void> {
    const startedAt = Date.now();
    const now = this.now();
    const changes = await this.#store.revokedSince(this.#cursor, now);
    // A cursor the store no longer knows answers everything unexpired: merging it is still right.
    for (const { jti, exp } of changes.revoked) {
      this.#revoked.set(jti, exp);
      if (exp < this.#nextExpiry) this.#nextExpiry = exp;
    }
    if (now >= this.#nextExpiry) this.#dropExpired(now);
    this.#cursor = changes.cursor;
    this.#syncedAt = startedAt;
  }

  #dropExpired(now: number): void {
    this.#nextExpiry = Infinity;
    for (const [jti, exp] of this.#revoked) {
      if (exp <= now) this.#revoked.delete(jti);
      else if (exp < this.#nextExpiry) this.#nextExpiry = exp;
    }
  }
}

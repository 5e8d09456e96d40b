import { LOGGER, component, inject, injectAll } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { AuthConfigurationError } from "../errors.js";
import { AuthClientSettings } from "../settings.js";
import { LOCAL_REVOCATIONS, REVOCATION_CHECK } from "./revocation-check.js";
import type { LocalRevocations, RevocationCheck, RevocationStatus } from "./revocation-check.js";
import { RemoteRevocations } from "./remote-revocations.js";

/** No revocation source: tokens are valid until they expire. */
export const NO_REVOCATION_CHECK: RevocationCheck = Object.freeze({
  enabled: false,
  status: (): RevocationStatus => "not-revoked",
});

/**
 * The default revocation check, its source chosen at boot:
 * 1. the auth server in this same Application, when it has our issuer (a synchronous set lookup);
 * 2. else the feed at `revocation_endpoint`, polled every `revocation_ttl_seconds`;
 * 3. else none: nothing is checked.
 */
@component({ provides: REVOCATION_CHECK, fallback: true })
export class DefaultRevocationCheck implements RevocationCheck {
  readonly enabled: boolean;
  readonly #delegate: RevocationCheck;

  constructor(settings: AuthClientSettings, @injectAll(LOCAL_REVOCATIONS) locals: LocalRevocations[], @inject(LOGGER) logger: Logger) {
    // Same rule as the in-process key source: the server must be the issuer we trust.
    const local = locals.find((candidate) => candidate.issuer === settings.issuer);
    if (local) {
      // Preferred over a configured feed: that feed is this very server's list, published late (one
      // poll behind) and through a socket that can fail; the in-process list is current and cannot.
      if (settings.revocationEndpoint !== "") logger.info(`pico-client-auth: revocations come from the in-process auth server; revocation_endpoint is not polled`);
      checkLocalPoll(local, settings.revocationTtlSeconds);
      this.#delegate = new LocalRevocationCheck(local, { ttlMs: settings.revocationTtlSeconds * 1000, failOpen: settings.revocationFailOpen, logger });
    } else if (settings.revocationEndpoint !== "") {
      this.#delegate = new RemoteRevocations({
        url: settings.revocationEndpoint,
        ttlMs: settings.revocationTtlSeconds * 1000,
        failOpen: settings.revocationFailOpen,
        bearer: settings.revocationBearer,
        logger,
      });
    } else {
      this.#delegate = NO_REVOCATION_CHECK;
    }
    this.enabled = this.#delegate.enabled;
  }

  status(jti: string): RevocationStatus | Promise<RevocationStatus> {
    return this.#delegate.status(jti);
  }
}

/** A view reread less often than the TTL goes stale between rereads on a healthy store: refused at boot. */
function checkLocalPoll(local: LocalRevocations, ttlSeconds: number): void {
  const interval = local.syncIntervalMs;
  if (interval === undefined || interval < ttlSeconds * 1000) return;
  throw new AuthConfigurationError(
    `server_auth.sync_interval_ms (${interval}) must be below auth_client.revocation_ttl_seconds (${ttlSeconds}) in milliseconds: the in-process revocation list is reread that often, and a list older than the TTL makes every token answer 503 (or, with revocation_fail_open, go unchecked); lower sync_interval_ms or raise revocation_ttl_seconds`,
  );
}

/**
 * The in-process server's own list: a revocation here is seen by the very next request, one on
 * another instance once the server has synced its view with the shared store. A view older than
 * `revocation_ttl_seconds` is treated as a stale feed: a listed jti is still refused, any other is
 * "unavailable" (503), or, with `revocation_fail_open`, accepted; either way warned once per outage.
 */
export class LocalRevocationCheck implements RevocationCheck {
  readonly enabled = true;
  readonly #local: LocalRevocations;
  readonly #ttlMs: number;
  readonly #failOpen: boolean;
  readonly #logger: Logger;
  readonly #now: () => number;
  #stale = false;

  constructor(local: LocalRevocations, options: { readonly ttlMs: number; readonly failOpen: boolean; readonly logger: Logger; readonly now?: () => number }) {
    this.#local = local;
    this.#ttlMs = options.ttlMs;
    this.#failOpen = options.failOpen;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  status(jti: string): RevocationStatus {
    // Listed is revoked for good (until it expires), however old the view: a 401, not a 503.
    if (this.#local.isRevoked(jti)) return "revoked";
    const age = this.#now() - this.#local.syncedAt;
    if (age <= this.#ttlMs) {
      if (this.#stale) this.#recovered();
      return "not-revoked";
    }
    if (!this.#stale) this.#warn(age);
    return this.#failOpen ? "not-revoked" : "unavailable";
  }

  #warn(age: number): void {
    this.#stale = true;
    const consequence = this.#failOpen ? "fail-open: checking tokens against the revocations it has" : "answering 503 to every token until it syncs again";
    this.#logger.warn(`pico-client-auth: the in-process auth server's revocation list was last synced ${Math.round(age / 1000)} s ago, more than revocation_ttl_seconds; ${consequence}`, {
      event: "auth.revocation_list_stale",
      fail_open: this.#failOpen,
      synced_at: new Date(this.#local.syncedAt).toISOString(),
    });
  }

  #recovered(): void {
    this.#stale = false;
    this.#logger.info("pico-client-auth: the in-process auth server's revocation list is synced again", { event: "auth.revocation_list_recovered" });
  }
}

import { LOGGER, component, inject, injectAll } from "pico-ioc";
import type { Logger } from "pico-ioc";
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
      this.#delegate = new LocalRevocationCheck(local);
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

/** The in-process server's own list: a revocation is seen by the very next request. */
class LocalRevocationCheck implements RevocationCheck {
  readonly enabled = true;
  readonly #local: LocalRevocations;

  constructor(local: LocalRevocations) {
    this.#local = local;
  }

  status(jti: string): RevocationStatus {
    return this.#local.isRevoked(jti) ? "revoked" : "not-revoked";
  }
}

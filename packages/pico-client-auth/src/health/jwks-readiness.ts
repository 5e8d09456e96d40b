import { component, inject } from "pico-ioc";
import { READINESS_CHECK } from "pico-hono";
import type { ReadinessCheck } from "pico-hono";
import { DiscoveryError } from "../keys/discovery.js";
import type { DiscoveryFailure } from "../keys/discovery.js";
import { KEY_SOURCE } from "../keys/key-source.js";
import type { KeySource } from "../keys/key-source.js";

/**
 * `/readyz` "jwks": tokens can be verified, i.e. the key source has keys. For a remote key set that
 * is the last good key set (a failed refresh keeps it, so a JWKS server that goes down after a
 * first fetch leaves us ready), else a fetch, bounded by `jwks_timeout_ms` per request (discovery
 * adds up to two) and the probe's timeout. Without `jwks_url`, a failed discovery is said as such.
 * For the auth server in the same Application it is its published keys, read without a socket.
 */
@component({ provides: READINESS_CHECK })
export class JwksReadiness implements ReadinessCheck {
  readonly name = "jwks";
  readonly #keys: KeySource;

  constructor(@inject(KEY_SOURCE) keys: KeySource) {
    this.#keys = keys;
  }

  async check(): Promise<string | undefined> {
    let keys: readonly unknown[];
    try {
      keys = (await this.#keys.getKeySet()).keys;
    } catch (error) {
      // The key source logs why (auth.jwks_refresh_failed, auth.discovery_failed); the probe says
      // what, without the URL.
      return `no key set: ${problemOf(error)}`;
    }
    return keys.length === 0 ? "the JWKS has no keys" : undefined;
  }
}

const DISCOVERY_PROBLEMS: Readonly<Record<DiscoveryFailure, string>> = {
  unreachable: "the issuer's discovery document cannot be fetched",
  bad_document: "the issuer's discovery document is unusable",
  issuer_mismatch: "the issuer's discovery document names another issuer",
};

function problemOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof DiscoveryError ? DISCOVERY_PROBLEMS[cause.reason] : "the JWKS cannot be fetched";
}

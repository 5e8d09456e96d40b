import { component, inject } from "pico-ioc";
import { READINESS_CHECK } from "pico-hono";
import type { ReadinessCheck } from "pico-hono";
import { KEY_SOURCE } from "../keys/key-source.js";
import type { KeySource } from "../keys/key-source.js";

/**
 * `/readyz` "jwks": tokens can be verified, i.e. the key source has keys. For a remote `jwks_url`
 * that is the last good key set (a failed refresh keeps it, so a JWKS server that goes down after a
 * first fetch leaves us ready), else a fetch, bounded by `jwks_timeout_ms` and the probe's timeout.
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
    } catch {
      // The key source logs why (auth.jwks_refresh_failed); the probe says what, without the URL.
      return "no key set: the JWKS cannot be fetched";
    }
    return keys.length === 0 ? "the JWKS has no keys" : undefined;
  }
}

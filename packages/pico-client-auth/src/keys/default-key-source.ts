import { LOGGER, component, inject, injectAll } from "pico-ioc";
import type { JWK } from "jose";
import type { Logger } from "pico-ioc";
import { AuthClientSettings, jwksUrlOf } from "../settings.js";
import { KEY_SOURCE, LOCAL_JWKS } from "./key-source.js";
import type { KeySet, KeySource, LocalJwks } from "./key-source.js";
import { IssuerDiscovery } from "./discovery.js";
import { RemoteJwks } from "./remote-jwks.js";

/**
 * The default key source: the auth server in this same Application when it is the one `jwks_url`
 * means (same issuer, and `jwks_url` empty or naming one of its key-set paths; no socket, so
 * `app.request()` tests work), otherwise the remote JWKS at `jwks_url`, or found by discovery from
 * the issuer when `jwks_url` is empty.
 */
@component({ provides: KEY_SOURCE, fallback: true })
export class DefaultKeySource implements KeySource {
  readonly #delegate: KeySource;

  constructor(settings: AuthClientSettings, @injectAll(LOCAL_JWKS) locals: LocalJwks[], @inject(LOGGER) logger: Logger) {
    const url = jwksUrlOf(settings);
    const local = locals.find((candidate) => candidate.issuer === settings.issuer && (url === undefined || servesPathOf(candidate, url)));
    const timing = {
      ttlMs: settings.jwksTtlSeconds * 1000,
      cooldownMs: settings.jwksCooldownSeconds * 1000,
      timeoutMs: settings.jwksTimeoutMs,
      logger,
    };
    this.#delegate = local
      ? new LocalKeySource(local)
      : new RemoteJwks({ url: url ?? new IssuerDiscovery({ issuer: settings.issuer, ...timing }), ...timing });
  }

  getKeySet(options?: { readonly refresh?: boolean }): KeySet | Promise<KeySet> {
    return this.#delegate.getKeySet(options);
  }
}

/**
 * Keys read straight from the in-process server; a new key-set object means new keys. `refresh` (an
 * unknown kid) is passed on: the server rereads its shared key store, where another instance may
 * have rotated (it coalesces and rate-limits those rereads).
 */
class LocalKeySource implements KeySource {
  readonly #local: LocalJwks;
  #last: { source: object; set: KeySet } | undefined;

  constructor(local: LocalJwks) {
    this.#local = local;
  }

  getKeySet(options?: { readonly refresh?: boolean }): KeySet | Promise<KeySet> {
    const source = options?.refresh ? this.#local.jwks({ refresh: true }) : this.#local.jwks();
    return source instanceof Promise ? source.then((s) => this.#setOf(s)) : this.#setOf(source);
  }

  #setOf(source: { readonly keys: readonly JWK[] }): KeySet {
    if (this.#last?.source !== source) this.#last = { source, set: { keys: source.keys, version: (this.#last?.set.version ?? 0) + 1 } };
    return this.#last.set;
  }
}

/** Only the path is compared, not the host or port: the server may be reached under any name. */
function servesPathOf(local: LocalJwks, url: string): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  return path === local.jwksPath || (local.jwksPaths ?? []).includes(path);
}

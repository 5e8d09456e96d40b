import { DEFAULT_JWKS_PATH, OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH } from "../contract.js";
import { insecureUrlProblem } from "../settings-check.js";
import { CachedRemote } from "./cached-remote.js";
import type { RemoteDocumentOptions } from "./cached-remote.js";
import { NOT_FOUND, UnexpectedStatus, getJson } from "./get-json.js";
import type { JwksLocation } from "./remote-jwks.js";

/** Where a discovered `jwks_uri` came from (the `source` field of `auth.jwks_discovered`). */
export type DiscoverySource = "oauth-authorization-server" | "openid-configuration" | "fallback";

/**
 * Why discovery failed, as the `reason` field of `auth.discovery_failed`: `unreachable` (no answer,
 * a timeout, a 5xx, 408 or 429, a redirect), `bad_document` (not JSON, not an object,
 * no usable `jwks_uri`), `issuer_mismatch` (the document is another issuer's).
 */
export type DiscoveryFailure = "unreachable" | "bad_document" | "issuer_mismatch";

/** A failed discovery: the cause of the 503 `KEYS_UNAVAILABLE` while there is no good document. */
export class DiscoveryError extends Error {
  readonly reason: DiscoveryFailure;
  /** The document it is about. */
  readonly url: string;

  constructor(reason: DiscoveryFailure, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
    this.url = url;
  }
}

export interface IssuerDiscoveryOptions extends RemoteDocumentOptions {
  /** The configured `auth_client.issuer`: where the documents are, and what they must name. */
  readonly issuer: string;
}

interface Discovered {
  readonly jwksUri: string;
  readonly source: DiscoverySource;
}

/**
 * The issuer's key-set URL, read from its RFC 8414 metadata, else its OpenID Connect discovery
 * document; when neither is there (a 4xx, see `isAbsent`), `{issuer}/api/v1/auth/jwks` (upstream's auth server publishes no
 * document). The answer is cached under the key set's rules (`CachedRemote`): refetched after
 * `ttlMs`, a failed refetch keeps the last good one. `RemoteJwks` asks before each key-set fetch, and
 * asks for a refetch (at most once per `cooldownMs`) after a key-set fetch failed, in case it moved,
 * and for the key-set refetch an unknown kid causes, in case the signing key is published elsewhere now.
 */
export class IssuerDiscovery implements JwksLocation {
  readonly #options: IssuerDiscoveryOptions;
  readonly #fetch: typeof fetch;
  readonly #cache: CachedRemote<Discovered>;

  constructor(options: IssuerDiscoveryOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#cache = new CachedRemote<Discovered>({
      ttlMs: options.ttlMs,
      cooldownMs: options.cooldownMs,
      now: options.now,
      load: (previous) => this.#load(previous),
      // Passed on as is: RemoteJwks turns it into the 503 (with this as the cause).
      unavailable: (cause) => cause,
    });
  }

  async jwksUrl(options: { readonly rediscover: boolean }): Promise<string> {
    return (await this.#cache.get(options.rediscover ? { refresh: true } : undefined)).jwksUri;
  }

  async #load(previous: Discovered | undefined): Promise<Discovered> {
    const { issuer, logger } = this.#options;
    let found: Discovered;
    try {
      found = await this.#discover();
    } catch (error) {
      const failure = error instanceof DiscoveryError ? error : new DiscoveryError("unreachable", issuer, String(error), { cause: error });
      const kept = previous !== undefined;
      logger.warn(`pico-client-auth: cannot discover the JWKS of ${issuer}: ${failure.message}${kept ? "; keeping the last good jwks_uri" : ""}`, {
        event: "auth.discovery_failed",
        issuer,
        url: failure.url,
        reason: failure.reason,
        kept_last: kept,
        err: failure.cause ?? failure,
      });
      throw failure;
    }
    if (found.jwksUri === previous?.jwksUri && found.source === previous.source) return previous;
    logger.info(`pico-client-auth: the JWKS of ${issuer} is ${found.jwksUri} (${found.source === "fallback" ? "no discovery document: the fallback" : `from ${found.source}`})`, {
      event: "auth.jwks_discovered",
      issuer,
      jwks_uri: found.jwksUri,
      source: found.source,
    });
    return found;
  }

  async #discover(): Promise<Discovered> {
    const { issuer } = this.#options;
    const documents: [DiscoverySource, string][] = [
      ["oauth-authorization-server", oauthMetadataUrl(issuer)],
      ["openid-configuration", openidConfigurationUrl(issuer)],
    ];
    for (const [source, url] of documents) {
      const body = await this.#read(url);
      if (body !== NOT_FOUND) return { jwksUri: this.#jwksUriOf(url, body), source };
    }
    return { jwksUri: `${withoutTrailingSlash(issuer)}${DEFAULT_JWKS_PATH}`, source: "fallback" };
  }

  /** The document, or NOT_FOUND for a 4xx that says it is not there (`isAbsent`: the only answers that move on to the next document). */
  async #read(url: string): Promise<unknown> {
    try {
      // redirect "error": a redirect could lead to plain http, past the check the issuer passed at boot.
      return await getJson(url, { what: "discovery document", timeoutMs: this.#options.timeoutMs, fetch: this.#fetch, redirect: "error", notFound: true });
    } catch (error) {
      if (error instanceof SyntaxError) throw new DiscoveryError("bad_document", url, `${url} is not JSON`, { cause: error });
      const message = error instanceof UnexpectedStatus ? error.message : `cannot read ${url}: ${messageOf(error)}`;
      throw new DiscoveryError("unreachable", url, message, { cause: error });
    }
  }

  /** RFC 8414 §3.3 / OIDC Discovery §4.3: the document must name our issuer exactly, else it is not used at all. */
  #jwksUriOf(url: string, body: unknown): string {
    const { issuer } = this.#options;
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new DiscoveryError("bad_document", url, `${url} is not a JSON object`);
    const document = body as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer) {
      throw new DiscoveryError("issuer_mismatch", url, `${url} names issuer ${shown(document.issuer)}, not the configured ${JSON.stringify(issuer)}; refused`);
    }
    if (typeof document.jwks_uri !== "string") throw new DiscoveryError("bad_document", url, `${url} has no "jwks_uri" string`);
    const problem = insecureUrlProblem(document.jwks_uri);
    if (problem !== undefined) throw new DiscoveryError("bad_document", url, `the "jwks_uri" of ${url} ${problem}`);
    return document.jwks_uri;
  }
}

/** RFC 8414 §3.1: the well-known path goes between the host and the issuer's path, if any. */
export function oauthMetadataUrl(issuer: string): string {
  const { origin, pathname } = new URL(issuer);
  return `${origin}${OAUTH_METADATA_PATH}${withoutTrailingSlash(pathname)}`;
}

/** OpenID Connect Discovery §4: appended to the whole issuer, without its trailing slash. */
export function openidConfigurationUrl(issuer: string): string {
  return `${withoutTrailingSlash(issuer)}${OPENID_CONFIGURATION_PATH}`;
}

/** A value from the remote document, for a log line: JSON (so control characters are escaped), at most 200 characters. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

function withoutTrailingSlash(text: string): string {
  return text.replace(/\/+$/, "");
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, a redirect) is its cause.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

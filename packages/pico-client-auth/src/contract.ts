/**
 * What an auth server running in the same Application (pico-server-auth) provides to this package,
 * defined once here and imported by the server (`pico-client-auth/contract`): the in-process key
 * set, the in-process revocation list, and the route marker of public routes. This file imports
 * nothing heavy, so the server can depend on it without loading the guard.
 *
 * The tokens are `Symbol.for` keys, defined only here: a copy of this package installed twice (the
 * app's and the server's) still shares them, so the in-process link never breaks silently.
 * @module
 */
import type { JWK } from "jose";
import type { Token } from "pico-ioc";

/**
 * Provided by an auth server running in the same Application, so tokens are checked against its keys
 * directly, without a socket.
 */
export interface LocalJwks {
  readonly issuer: string;
  /** Path the server publishes its JWKS at, e.g. `/api/v1/auth/jwks`. */
  readonly jwksPath: string;
  /**
   * Other paths of this server that serve this same complete key set (e.g. `/api/v1/auth/jwks/all`
   * when ML-DSA keys are published apart): a `jwks_url` naming one of them is served in-process too.
   */
  readonly jwksPaths?: readonly string[];
  /**
   * The published keys; the same object while they are unchanged. `refresh: true` follows a token
   * whose key id is unknown: the server rereads its key store (coalesced, rate-limited), since
   * another instance may have rotated.
   */
  jwks(options?: { readonly refresh?: boolean }): { readonly keys: readonly JWK[] } | Promise<{ readonly keys: readonly JWK[] }>;
}

export const LOCAL_JWKS = Symbol.for("pico-auth.local-jwks") as Token<LocalJwks>;

/**
 * Where the auth server publishes its key set: ours and upstream's. A client without `jwks_url`
 * falls back to `{issuer}` + this path when the issuer has no discovery document.
 */
export const DEFAULT_JWKS_PATH = "/api/v1/auth/jwks";

/**
 * RFC 8414 metadata and OpenID Connect discovery, at the root of the issuer's origin (RFC 8414 puts
 * an issuer's path after it; OIDC appends this to the whole issuer): served by the server, read by
 * a client without `jwks_url`.
 */
export const OAUTH_METADATA_PATH = "/.well-known/oauth-authorization-server";
export const OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration";

/**
 * Provided by an auth server running in the same Application: its revocations are seen at once, and
 * those of other instances once its view is synced.
 */
export interface LocalRevocations {
  readonly issuer: string;
  isRevoked(jti: string): boolean;
  /**
   * Milliseconds since the epoch of the last time the view was known complete (a successful sync
   * with the shared store). The guard treats a view older than `auth_client.revocation_ttl_seconds`
   * as it treats a stale revocation feed (`revocation_fail_open`).
   */
  readonly syncedAt: number;
  /**
   * Milliseconds between the server's rereads of the view when nothing else makes it reread (its
   * poll), if it has one. Only a reread makes the view fresh again: the guard refuses to boot when
   * this is not below `auth_client.revocation_ttl_seconds`, since every token would then be answered
   * as against a stale view (503) for part of each interval, with the store healthy.
   */
  readonly syncIntervalMs?: number;
}

export const LOCAL_REVOCATIONS = Symbol.for("pico-auth.local-revocations") as Token<LocalRevocations>;

/** Route metadata key: `true` marks a public route (`@allowAnonymous`), `false` a route with requirements. */
export const ANONYMOUS = Symbol.for("pico-client-auth.anonymous");

/**
 * Agent delegation (RFC 8693 token exchange): what pico-server-auth issues and pico-client-auth
 * accepts, defined once. An agent token is told apart from an access token by both its header `typ`
 * and its audience (RFC 8725 §3.11), so an access-token check refuses it and the other way round.
 */
export const AGENT_TOKEN_TYPE = "agent+jwt";

/** The request header that carries an agent token, as `Bearer <token>` (upstream's name). */
export const AGENT_AUTHORIZATION_HEADER = "x-agent-authorization";

/** The audience of agent tokens when none is configured: the access tokens' audience with an `agent:` prefix. */
export function defaultAgentAudience(accessAudience: string): string {
  return `agent:${accessAudience}`;
}

/**
 * Header `typ` values of access tokens (RFC 7515 §4.1.9: case-insensitive, `application/` may be
 * left out; RFC 9068's `at+jwt`). A token without `typ` is accepted as an access token too.
 */
export const ACCESS_TOKEN_TYPES: readonly string[] = Object.freeze(["jwt", "at+jwt", "application/jwt", "application/at+jwt"]);

/**
 * Scope matching (`*`, `a:*` covers `a` and `a:...`, else equal): re-exported here so that the server
 * grants delegated scopes by the very rule the guard checks them with, without loading the guard.
 */
export { scopeGranted } from "./guard/scopes.js";

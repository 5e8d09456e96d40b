import { OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, TOKEN_EXCHANGE_GRANT, TOKEN_PATH } from "../endpoints.js";
import type { PublishedKeys } from "../keys/published-keys.js";
import { jwksUriPath } from "./ml-dsa-jwks.js";
import type { MlDsaJwks } from "./ml-dsa-jwks.js";

/** The members both documents share: only what this server does (no ID tokens, no authorization endpoint). */
export interface ServerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly token_endpoint: string;
  readonly grant_types_supported: readonly string[];
  readonly token_endpoint_auth_methods_supported: readonly string[];
  /** Not registered by either spec: the algorithms of the published keys (the signing key's first). */
  readonly access_token_signing_alg_values_supported: readonly string[];
}

/** RFC 8414 requires `response_types_supported`; this server supports none (no authorization endpoint). */
export interface OAuthMetadata extends ServerMetadata {
  readonly response_types_supported: readonly string[];
}

/**
 * Where the issuer's documents are, and the URLs they name. URLs come from `server_auth.issuer`, never
 * from the request: behind a proxy the app does not know its public address.
 */
export class IssuerLocation {
  readonly issuer: string;
  /** The issuer's origin and path without a trailing slash: the base of every URL the documents name. */
  readonly base: string;
  /** RFC 8414 §3.1: the well-known name first, then the issuer's path (`/.well-known/oauth-authorization-server/auth`). */
  readonly oauthMetadataPath: string;
  /**
   * OpenID Connect Discovery §4: the issuer, then the well-known name. The request reaches the app
   * with the issuer's path (`/auth/.well-known/openid-configuration`), or without it behind a proxy
   * that strips the path the app is published under: both are served.
   */
  readonly openidConfigurationPaths: readonly string[];

  constructor(issuer: string) {
    const url = new URL(issuer);
    // RFC 8414 §3.1 and OIDC Discovery §4: a terminating "/" of the issuer's path is left out.
    const path = url.pathname.replace(/\/+$/, "");
    this.issuer = issuer;
    this.base = `${url.origin}${path}`;
    this.oauthMetadataPath = `${OAUTH_METADATA_PATH}${path}`;
    this.openidConfigurationPaths = Object.freeze([...new Set([OPENID_CONFIGURATION_PATH, `${path}${OPENID_CONFIGURATION_PATH}`])]);
  }

  /** The members both documents share, for the keys published now. */
  metadata(published: PublishedKeys, mode: MlDsaJwks): ServerMetadata {
    return Object.freeze({
      issuer: this.issuer,
      jwks_uri: `${this.base}${jwksUriPath(published, mode)}`,
      token_endpoint: `${this.base}${TOKEN_PATH}`,
      grant_types_supported: Object.freeze([TOKEN_EXCHANGE_GRANT]),
      token_endpoint_auth_methods_supported: Object.freeze(["none"]),
      access_token_signing_alg_values_supported: published.algorithms,
    });
  }
}


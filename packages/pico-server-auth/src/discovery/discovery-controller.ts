import { RequestContext, controller, get } from "pico-hono";
import { OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH } from "../endpoints.js";
import { notFound } from "../errors.js";
import { allowAnonymous, cachePublicly } from "../http-input.js";
import type { PublishedKeys } from "../keys/published-keys.js";
import { SigningKeys } from "../keys/signing-keys.js";
import { DISCOVERY_RESPONSES, OAUTH_METADATA_DOCS, OPENID_CONFIGURATION_DOCS } from "../openapi-docs.js";
import { ServerAuthSettings } from "../settings.js";
import { IssuerLocation } from "./metadata.js";
import type { OAuthMetadata, ServerMetadata } from "./metadata.js";
import { mlDsaJwksOf } from "./ml-dsa-jwks.js";
import type { MlDsaJwks } from "./ml-dsa-jwks.js";

/** Hono: the rest of the path, slashes included (an issuer's path may have several segments). */
const ISSUER_PATH = ":issuerPath{.+}";

interface Documents {
  readonly keys: PublishedKeys;
  readonly openid: ServerMetadata;
  readonly oauth: OAuthMetadata;
}

/**
 * RFC 8414 authorization server metadata and OpenID Connect discovery, so that verifiers configured
 * with the issuer alone (Spring's issuer-uri, ASP.NET's Authority, go-oidc) find the key set. Both
 * documents name only what this server does; they are rebuilt when the published keys change (the
 * `jwks_uri` follows the signing key with `ml_dsa_jwks: separate`). Routes take any path ending in the
 * well-known name; the handlers answer 404 unless it is where this issuer's document belongs.
 */
@allowAnonymous
@controller({ tags: ["Auth"] })
export class DiscoveryController {
  readonly #keys: SigningKeys;
  readonly #mode: MlDsaJwks;
  readonly #location: IssuerLocation;
  #documents: Documents | undefined;

  constructor(settings: ServerAuthSettings, keys: SigningKeys) {
    this.#keys = keys;
    this.#mode = mlDsaJwksOf(settings);
    this.#location = new IssuerLocation(settings.issuer);
  }

  @get(OAUTH_METADATA_PATH, { summary: "RFC 8414 authorization server metadata (an issuer without a path)", responses: DISCOVERY_RESPONSES, openapi: OAUTH_METADATA_DOCS })
  async oauthMetadata(ctx: RequestContext): Promise<OAuthMetadata> {
    return (await this.#documentsAt(ctx, [this.#location.oauthMetadataPath])).oauth;
  }

  @get(`${OAUTH_METADATA_PATH}/${ISSUER_PATH}`, { summary: "RFC 8414 authorization server metadata of an issuer with a path (its path after the well-known name)", responses: DISCOVERY_RESPONSES, openapi: OAUTH_METADATA_DOCS })
  async oauthMetadataOfPath(ctx: RequestContext): Promise<OAuthMetadata> {
    return this.oauthMetadata(ctx);
  }

  @get(OPENID_CONFIGURATION_PATH, { summary: "OpenID Connect discovery (only the members this server honours: it issues no ID tokens)", responses: DISCOVERY_RESPONSES, openapi: OPENID_CONFIGURATION_DOCS })
  async openidConfiguration(ctx: RequestContext): Promise<ServerMetadata> {
    return (await this.#documentsAt(ctx, this.#location.openidConfigurationPaths)).openid;
  }

  @get(`/${ISSUER_PATH}${OPENID_CONFIGURATION_PATH}`, { summary: "OpenID Connect discovery of an issuer with a path (its path before the well-known name)", responses: DISCOVERY_RESPONSES, openapi: OPENID_CONFIGURATION_DOCS })
  async openidConfigurationOfPath(ctx: RequestContext): Promise<ServerMetadata> {
    return this.openidConfiguration(ctx);
  }

  /** The documents for the keys published now, when the request's path is one of `paths`; else 404. */
  async #documentsAt(ctx: RequestContext, paths: readonly string[]): Promise<Documents> {
    // The raw path, as new URL() normalises the issuer's: percent-encoding compares as written.
    if (!paths.includes(new URL(ctx.c.req.url).pathname)) throw notFound("Not Found");
    const keys = await this.#keys.published();
    if (this.#documents?.keys !== keys) {
      const openid = this.#location.metadata(keys, this.#mode);
      this.#documents = { keys, openid, oauth: Object.freeze({ ...openid, response_types_supported: Object.freeze([]) }) };
    }
    cachePublicly(ctx);
    return this.#documents;
  }
}

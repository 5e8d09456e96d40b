import { RequestContext, controller, get } from "pico-hono";
import { JWKS_ALL_PATH, JWKS_ML_DSA_PATH, JWKS_PATH } from "../endpoints.js";
import { allowAnonymous, cachePublicly } from "../http-input.js";
import type { Jwks, PublishedKeys } from "../keys/published-keys.js";
import { SigningKeys } from "../keys/signing-keys.js";
import { JWKS_ALL_DOCS, JWKS_DOCS, JWKS_ML_DSA_DOCS } from "../openapi-docs.js";
import { ServerAuthSettings } from "../settings.js";
import { defaultKeySet, mlDsaJwksOf } from "./ml-dsa-jwks.js";
import type { MlDsaJwks } from "./ml-dsa-jwks.js";

/**
 * The public key sets (RFC 7517). Which key is in which set follows `server_auth.ml_dsa_jwks`; each
 * answer is a frozen set computed when the keys changed, never built per request.
 */
@allowAnonymous
@controller({ tags: ["Auth"] })
export class JwksController {
  readonly #keys: SigningKeys;
  readonly #mode: MlDsaJwks;

  constructor(settings: ServerAuthSettings, keys: SigningKeys) {
    this.#keys = keys;
    this.#mode = mlDsaJwksOf(settings);
  }

  @get(JWKS_PATH, { summary: "Public keys that verify the tokens issued here (ml_dsa_jwks: separate, the classical keys only)", openapi: JWKS_DOCS })
  async jwks(ctx: RequestContext): Promise<Jwks> {
    return defaultKeySet(await this.#published(ctx), this.#mode);
  }

  @get(JWKS_ALL_PATH, { summary: "Every published public key, ML-DSA ones included, whatever ml_dsa_jwks says", openapi: JWKS_ALL_DOCS })
  async allKeys(ctx: RequestContext): Promise<Jwks> {
    return (await this.#published(ctx)).all;
  }

  @get(JWKS_ML_DSA_PATH, { summary: "The ML-DSA-65 public keys (kty AKP) alone", openapi: JWKS_ML_DSA_DOCS })
  async mlDsaKeys(ctx: RequestContext): Promise<Jwks> {
    return (await this.#published(ctx)).mlDsa;
  }

  #published(ctx: RequestContext): PublishedKeys | Promise<PublishedKeys> {
    cachePublicly(ctx);
    return this.#keys.published();
  }
}

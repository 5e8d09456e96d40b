import { configured, setting } from "pico-ioc";
import type { SettingsSection } from "pico-ioc";
import { defaultAgentAudience } from "./contract.js";
import type { GroupMatch } from "./token/claim-paths.js";

/** The `auth_client` config section (env: `AUTH_CLIENT__ISSUER`, ...). Checked at boot by `checkAuthSettings`. */
@configured("auth_client")
export class AuthClientSettings {
  @setting({ description: "false: no token checks at all, decorators not enforced" })
  enabled: boolean = true;

  @setting({ type: "url", optional: true, description: "Exact `iss` every token must carry, an absolute http(s) URL; required when enabled" })
  issuer: string = "";

  @setting({ description: "`aud` every token must carry (string equal, or array containing it); required when enabled" })
  audience: string = "";

  @setting({ type: "url", optional: true, description: 'JWKS location, https except on loopback; "" means discovery from the issuer (RFC 8414 metadata, then OpenID Connect discovery; if both answer 404, {issuer}/api/v1/auth/jwks)' })
  jwksUrl: string = "";

  @setting({
    type: "string[]",
    description: "Signature algorithms accepted (HS* and none never are)",
    choices: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "ML-DSA-65"],
  })
  acceptedAlgorithms: string[] = ["RS256", "ES256", "EdDSA", "Ed25519", "ML-DSA-65"];

  @setting({ type: "integer", min: 0, max: 86_400, description: "How long a fetched key set is used before it is fetched again" })
  jwksTtlSeconds: number = 300;

  @setting({ type: "integer", min: 0, max: 3600, description: "Least time between refetches caused by unknown key ids" })
  jwksCooldownSeconds: number = 30;

  @setting({ type: "integer", min: 1, max: 60_000, description: "JWKS request timeout" })
  jwksTimeoutMs: number = 5000;

  @setting({ type: "integer", min: 0, max: 300, description: "Clock skew tolerated on exp, nbf and iat" })
  leewaySeconds: number = 5;

  @setting({ type: "integer", min: 0, max: 10_000_000, description: "Verified tokens remembered (LRU); 0 turns the cache off" })
  tokenCacheSize: number = 10_000;

  @setting({ type: "integer", min: 256, max: 16_777_216, description: "Longest bearer token read, in characters" })
  maxTokenLength: number = 16_384;

  @setting({ type: "url", optional: true, description: 'Revoked-token feed, GET {"items": [{"jti": ...}]}; "" = none. https, except on loopback. An in-process auth server with the same issuer is used instead' })
  revocationEndpoint: string = "";

  @setting({ type: "integer", min: 1, max: 86_400, description: "A token is accepted only against a revocation list fetched at most this long ago" })
  revocationTtlSeconds: number = 15;

  @setting({ description: "When the revocation list cannot be refreshed: false answers 503; true accepts tokens against the last list fetched (or none)" })
  revocationFailOpen: boolean = false;

  @setting({ type: "string", optional: true, description: "Service credential sent to the revocation feed as `Authorization: Bearer ...`; never logged" })
  revocationBearer?: string;

  @setting({ type: "integer", min: 1, max: 31_536_000, description: "Longest a token may still be valid for when checked (exp - now, plus the leeway); a token with a later exp is refused with 401" })
  maxTokenLifetimeSeconds: number = 86_400;

  @setting({ type: "string[]", description: 'Claim paths roles come from, in order (union, deduplicated): a top-level claim name ("https://example.com/roles") or a dotted path ("realm_access.roles"); a string is one role' })
  roleClaims: string[] = ["role", "roles"];

  @setting({ type: "string[]", description: "Claim paths groups come from (same path syntax); a string is one group" })
  groupClaims: string[] = ["groups"];

  @setting({ type: "string[]", description: 'Claim paths scopes come from (same path syntax); a string is split on spaces, e.g. ["scp"] or ["scope", "permissions"]' })
  scopeClaims: string[] = ["scope", "scopes"];

  @setting({ type: "string", choices: ["full_path", "last_segment"], description: '@requiresGroup matching: full_path (exact) or last_segment (a granted "/a/b" also satisfies "b")' })
  groupMatch: GroupMatch = "full_path";

  @setting({ type: "string", optional: true, description: '`aud` every agent token (X-Agent-Authorization) must carry; unset: "agent:" + audience. Must differ from audience' })
  agentAudience?: string;
}

/** The audience agent tokens must carry: `agent_audience`, or the access audience with an `agent:` prefix. */
export function agentAudienceOf(settings: AuthClientSettings): string {
  return settings.agentAudience ?? defaultAgentAudience(settings.audience);
}

/**
 * The key set's URL when `jwks_url` names one; `undefined` when it is empty: the keys are then those
 * of an auth server in the same Application with this issuer, or found by discovery from the issuer
 * (RFC 8414, OpenID Connect, then `{issuer}/api/v1/auth/jwks`; docs/auth-client.md#discovery).
 */
export function jwksUrlOf(settings: AuthClientSettings): string | undefined {
  return settings.jwksUrl === "" ? undefined : settings.jwksUrl;
}

// `config.auth_client` of `new Application({ moduleNames: ["pico_client_auth"], config })` is checked
// against this class at compile time (pico-ioc's PicoModuleSections).
declare module "pico-ioc" {
  interface PicoModuleSections {
    pico_client_auth: { readonly auth_client?: SettingsSection<AuthClientSettings> };
  }
}

/**
 * The kinds of token TokenVerifier checks. Access and agent tokens share the keys, the algorithms,
 * the claim rules and the revocation check; they are told apart by header `typ` and audience
 * (RFC 8725 §3.11–3.12), so neither passes for the other.
 * @module
 */
import { checkAgentClaims } from "../agent/agent-claims.js";
import { ACCESS_TOKEN_TYPES, AGENT_TOKEN_TYPE } from "../contract.js";
import { invalidToken } from "../errors.js";
import type { AuthClientSettings } from "../settings.js";
import type { TokenClaims } from "./claims.js";
import { TokenCache } from "./token-cache.js";

export interface TokenProfile {
  /** The claim rules (checkClaims), with this kind's audience. */
  readonly rules: AuthClientSettings;
  /** Tokens verified as this kind only: a token verified as one kind is never a cache hit for the other. */
  readonly cache: TokenCache;
  /** The 401 detail for a header `typ` this kind refuses; undefined when it accepts it. */
  typeProblem(typ: unknown): string | undefined;
  /** This kind's checks beyond checkClaims, made once before the claims are cached. */
  finish(claims: TokenClaims): TokenClaims;
}

const ACCESS_TYPES = new Set(ACCESS_TOKEN_TYPES);
// RFC 7515 §4.1.9: compared case-insensitively, "application/" may be left out.
const AGENT_TYPES = new Set([AGENT_TOKEN_TYPE, `application/${AGENT_TOKEN_TYPE}`]);
const UNEXPECTED_TYPE = "Invalid token: unexpected token type";
const AGENT_AS_ACCESS = "Invalid token: an agent token is not an access token (it goes in X-Agent-Authorization)";

const lowerType = (typ: unknown): string | undefined => (typeof typ === "string" ? typ.toLowerCase() : undefined);

/** Bearer tokens: `typ` absent or one of ACCESS_TOKEN_TYPES; `aud` names `audience`, never the agent audience. */
export function accessProfile(settings: AuthClientSettings, agentAudience: string): TokenProfile {
  return {
    rules: settings,
    cache: new TokenCache(settings.tokenCacheSize),
    typeProblem(typ) {
      if (typ === undefined) return undefined;
      const type = lowerType(typ);
      if (type !== undefined && ACCESS_TYPES.has(type)) return undefined;
      return type !== undefined && AGENT_TYPES.has(type) ? AGENT_AS_ACCESS : UNEXPECTED_TYPE;
    },
    finish(claims) {
      // Only an issuer minting one token for both audiences gets here; such a token is an agent's too.
      if (claims.aud === agentAudience || (Array.isArray(claims.aud) && claims.aud.includes(agentAudience))) throw invalidToken(AGENT_AS_ACCESS);
      return claims;
    },
  };
}

/** X-Agent-Authorization tokens: `typ` AGENT_TOKEN_TYPE, `aud` naming `agentAudience`, an `act` claim. */
export function agentProfile(settings: AuthClientSettings, agentAudience: string): TokenProfile {
  return {
    // The settings themselves with only the audience replaced: every other rule (leeway, lifetime,
    // claim types) is read from them, as for access tokens.
    rules: Object.create(settings, { audience: { value: agentAudience, enumerable: true } }) as AuthClientSettings,
    cache: new TokenCache(settings.tokenCacheSize),
    typeProblem(typ) {
      const type = lowerType(typ);
      return type !== undefined && AGENT_TYPES.has(type) ? undefined : `Invalid token: an agent token needs the header typ "${AGENT_TOKEN_TYPE}"`;
    },
    finish: checkAgentClaims,
  };
}

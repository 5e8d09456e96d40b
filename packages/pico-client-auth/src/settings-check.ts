import { AuthConfigurationError } from "./errors.js";
import { agentAudienceOf } from "./settings.js";
import type { AuthClientSettings } from "./settings.js";
import { claimMappingOf } from "./token/claim-paths.js";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Fails boot on settings that could never authenticate anyone safely. Upstream finds a bad URL only
 * at the first fetch (a 500 per request); here the app does not start.
 */
export function checkAuthSettings(settings: AuthClientSettings): void {
  if (!settings.enabled) return;
  if (settings.issuer === "") throw new AuthConfigurationError("auth_client.issuer must be set when auth is enabled");
  if (settings.audience === "") throw new AuthConfigurationError("auth_client.audience must be set when auth is enabled");
  // Without jwks_url, the discovery documents (and the fallback key set) are fetched from the issuer.
  if (settings.jwksUrl !== "") requireSecureUrl("jwks_url", settings.jwksUrl);
  else requireSecureUrl("issuer", settings.issuer, " (auth_client.jwks_url is empty: the keys are discovered from the issuer)");
  checkAgentAudience(settings);
  if (settings.revocationEndpoint !== "") requireSecureUrl("revocation_endpoint", settings.revocationEndpoint);
  // Builds the claim mapping now: a malformed role/group/scope claim path fails boot, not the first request.
  claimMappingOf(settings);
  // A header value fetch() refuses would fail every poll: with fail-closed, every request. The value
  // itself is a secret, so the message does not show it.
  if (settings.revocationBearer !== undefined && !/^[\x21-\x7e]*$/.test(settings.revocationBearer)) {
    throw new AuthConfigurationError("auth_client.revocation_bearer must be printable ASCII without spaces (the token alone, without \"Bearer \")");
  }
}

/**
 * Agent tokens are told apart from access tokens by their audience too (RFC 8725 §3.11): the same
 * audience for both would leave the `typ` header alone between an agent token and a user's access.
 */
function checkAgentAudience(settings: AuthClientSettings): void {
  if (settings.agentAudience === "") throw new AuthConfigurationError('auth_client.agent_audience must not be empty (leave it unset for "agent:" + audience)');
  if (agentAudienceOf(settings) === settings.audience) {
    throw new AuthConfigurationError(`auth_client.agent_audience must differ from auth_client.audience, both are ${JSON.stringify(settings.audience)}`);
  }
}

/** https, or plain http on loopback only, so keys and revocations cannot be tampered with on the way. */
function requireSecureUrl(key: string, url: string, why = ""): void {
  const problem = insecureUrlProblem(url);
  if (problem !== undefined) throw new AuthConfigurationError(`auth_client.${key} ${problem}${why}`);
}

/**
 * Why `url` may not be fetched keys, revocations or discovery documents from, as the end of a
 * sentence naming it ("must use https ..."); `undefined` when it may: an absolute https URL, or plain
 * http on loopback only, without `user:password@`.
 */
export function insecureUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be an absolute URL, got ${JSON.stringify(url)}`;
  }
  // fetch() rejects such URLs anyway; refusing them here also keeps the password out of our messages.
  if (parsed.username !== "" || parsed.password !== "") return "must not contain credentials (user:password@)";
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname))) {
    return `must use https (plain http only on localhost), got ${url}`;
  }
  return undefined;
}

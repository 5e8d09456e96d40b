import { AuthConfigurationError } from "./errors.js";
import { AuthClientSettings, jwksUrlOf } from "./settings.js";
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
  requireSecureUrl("jwks_url", jwksUrlOf(settings));
  if (settings.revocationEndpoint !== "") requireSecureUrl("revocation_endpoint", settings.revocationEndpoint);
  // Builds the claim mapping now: a malformed role/group/scope claim path fails boot, not the first request.
  claimMappingOf(settings);
  // A header value fetch() refuses would fail every poll: with fail-closed, every request. The value
  // itself is a secret, so the message does not show it.
  if (settings.revocationBearer !== undefined && !/^[\x21-\x7e]*$/.test(settings.revocationBearer)) {
    throw new AuthConfigurationError("auth_client.revocation_bearer must be printable ASCII without spaces (the token alone, without \"Bearer \")");
  }
}

/** https, or plain http on loopback only, so keys and revocations cannot be tampered with on the way. */
function requireSecureUrl(key: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthConfigurationError(`auth_client.${key} must be an absolute URL, got ${JSON.stringify(url)}`);
  }
  // fetch() rejects such URLs anyway; refusing them here also keeps the password out of our messages.
  if (parsed.username !== "" || parsed.password !== "") throw new AuthConfigurationError(`auth_client.${key} must not contain credentials (user:password@)`);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname))) {
    throw new AuthConfigurationError(`auth_client.${key} must use https (plain http only on localhost), got ${url}`);
  }
}

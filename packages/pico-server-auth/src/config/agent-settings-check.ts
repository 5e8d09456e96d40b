import { defaultAgentAudience } from "pico-client-auth/contract";
import { ServerAuthConfigurationError } from "../errors.js";
import type { ServerAuthSettings } from "../settings.js";

/** A scope or scope pattern: one token of a space-separated `scope` claim (RFC 6749 §3.3), so no space, quote or backslash. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The audience agent tokens carry: `agent_audience`, else the access tokens' audience prefixed `agent:`. */
export function agentAudienceOf(settings: Pick<ServerAuthSettings, "agentAudience" | "audience">): string {
  return settings.agentAudience ?? defaultAgentAudience(settings.audience);
}

/**
 * Boot rules of the agent settings: every role_scopes key a role name, every pattern a scope token;
 * an agent audience that an access-token check would refuse (not empty, not the access audience).
 */
export function checkAgentSettings(s: ServerAuthSettings): void {
  for (const [role, patterns] of Object.entries(s.roleScopes)) {
    if (role.trim() === "") fail(`server_auth.role_scopes: a role name expected, got ${JSON.stringify(role)}`);
    for (const [i, pattern] of patterns.entries()) {
      if (!SCOPE_TOKEN.test(pattern)) {
        fail(`server_auth.role_scopes: key ${JSON.stringify(role)} item ${i} expected a scope pattern (printable ASCII, no spaces, quotes or backslashes, such as "profile:read" or "billing:*"), got ${JSON.stringify(pattern)}`);
      }
    }
  }
  const audience = agentAudienceOf(s);
  if (audience.trim() === "" || audience !== audience.trim()) fail(`server_auth.agent_audience expected a non-empty audience without surrounding spaces, got ${JSON.stringify(audience)}`);
  if (audience === s.audience) {
    fail(`server_auth.agent_audience must differ from server_auth.audience (${JSON.stringify(s.audience)}): agent tokens would pass for access tokens (RFC 8725 §3.11); leave it unset for "${defaultAgentAudience(s.audience)}"`);
  }
}

function fail(message: string): never {
  throw new ServerAuthConfigurationError(message);
}

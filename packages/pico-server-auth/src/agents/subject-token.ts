import { AGENT_TOKEN_TYPE } from "pico-client-auth/contract";
import type { SigningKeys } from "../keys/signing-keys.js";
import type { ServerAuthSettings } from "../settings.js";
import { sessionClaims, verifiedToken } from "../sessions/verified-token.js";
import type { SessionTokenClaims } from "../sessions/verified-token.js";
import { MAX_ACTOR_CHAIN } from "./exchange-request.js";
import { invalidGrant } from "./oauth-error.js";

/** An `act` claim (RFC 8693 §4.1): the actor, and the one it acts for when that was an agent too. */
export interface ActorClaim {
  readonly sub: string;
  readonly act?: ActorClaim;
}

/** A verified subject token: an access token of ours, or (chained exchange) an agent token of ours. */
export type SubjectToken =
  | (SessionTokenClaims & { readonly kind: "access"; readonly clientId?: string })
  | (SessionTokenClaims & { readonly kind: "agent"; readonly clientId?: string; readonly exp: number; readonly scopes: readonly string[]; readonly act: ActorClaim });

/**
 * The subject token's claims if it is one of our unexpired tokens that may be exchanged; otherwise an
 * invalid_grant saying why. Refresh tokens (opaque, or JWTs of an earlier version) never pass: they
 * are not access tokens. Revocation and the session are checked by the caller, against the store.
 */
export function verifiedSubject(keys: SigningKeys, settings: ServerAuthSettings, agentAudience: string, token: string, now: number): SubjectToken {
  const jws = keys.verified(token);
  if (!jws) throw invalidGrant("subject_token is not a token of this server: malformed, unknown key or bad signature");
  const { header, payload } = jws;
  const clientId = typeof payload.client_id === "string" ? { clientId: payload.client_id } : {};
  if (typeof header.typ !== "string" || header.typ.toLowerCase() !== AGENT_TOKEN_TYPE) {
    const access = verifiedToken(keys, settings, token, "access", now);
    if (!access) throw invalidGrant("subject_token is not a valid access token of this server: expired, for another issuer or audience, or not an access token");
    return { ...access, ...clientId, kind: "access" };
  }
  if (!settings.allowAgentTokenExchange) throw invalidGrant("subject_token is an agent token: exchanging one needs server_auth.allow_agent_token_exchange");
  const claims = sessionClaims(payload, settings.issuer, agentAudience, now);
  const act = actorChain(payload.act);
  if (!claims || !act || typeof payload.scope !== "string") throw invalidGrant("subject_token is not a valid agent token of this server: expired, for another issuer or audience, or without act and scope");
  return { ...claims, ...clientId, kind: "agent", exp: payload.exp as number, scopes: payload.scope.split(" ").filter((s) => s !== ""), act };
}

/** An `act` claim as we issue it (nested `{sub}` objects, at most MAX_ACTOR_CHAIN deep), else undefined. */
function actorChain(value: unknown, depth = 1): ActorClaim | undefined {
  if (depth > MAX_ACTOR_CHAIN || value === null || typeof value !== "object") return undefined;
  const { sub, act } = value as { sub?: unknown; act?: unknown };
  if (typeof sub !== "string") return undefined;
  if (act === undefined) return { sub };
  const inner = actorChain(act, depth + 1);
  return inner && { sub, act: inner };
}

/** How many actors `act` names. */
export function chainLength(act: ActorClaim | undefined): number {
  return act === undefined ? 0 : 1 + chainLength(act.act);
}

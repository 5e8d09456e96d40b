/**
 * The claims an agent token carries beyond an access token's (RFC 8693 token exchange, as
 * pico-server-auth issues it), checked once when the token is verified, before it is cached.
 * @module
 */
import { invalidToken } from "../errors.js";
import type { TokenClaims } from "../token/claims.js";

/** RFC 8693 §4.1: the party acting, with the one that acted before it nested inside. */
export interface ActorClaim {
  readonly sub: string;
  readonly act?: ActorClaim;
  readonly [claim: string]: unknown;
}

/** The claims of a verified agent token: `sub` is the user the agent acts for, `act.sub` the agent. */
export interface AgentClaims extends TokenClaims {
  readonly act: ActorClaim;
  /** Granted scopes, space-separated (or, from other issuers, an array). */
  readonly scope?: string;
  readonly sid?: string;
  /** The user's role when the token was issued (pico-server-auth's tokens carry one string). */
  readonly role?: string;
  readonly task_id?: string;
  /** A decimal string, carried as issued and not enforced (as upstream). */
  readonly spend_limit?: string;
}

const OPTIONAL_STRINGS = ["sid", "role", "task_id", "spend_limit"] as const;
const BAD_ACT = 'Invalid token: an agent token needs an "act" claim: an object with a non-empty string "sub" (at every level)';

/**
 * `claims` as agent claims, or a 401. The `scope` type is checked here whatever
 * `auth_client.scope_claims` says: agent scopes are always read from `scope`.
 */
export function checkAgentClaims(claims: TokenClaims): AgentClaims {
  actorChain(claims.act);
  for (const name of OPTIONAL_STRINGS) {
    if (claims[name] !== undefined && typeof claims[name] !== "string") throw invalidToken(`Invalid token: "${name}" claim must be a string`);
  }
  const scope: unknown = claims.scope;
  if (scope !== undefined && typeof scope !== "string" && !(Array.isArray(scope) && scope.every((s) => typeof s === "string"))) {
    throw invalidToken('Invalid token: "scope" claim must be a string or an array of strings');
  }
  return claims as AgentClaims;
}

/** The `sub` of every level of an `act` chain, outermost (the agent acting now) first; a 401 when malformed. */
export function actorChain(act: unknown): string[] {
  const subs: string[] = [];
  let level = act;
  // A loop, not recursion: JSON.parse takes any depth, and a stack overflow would be a 500.
  do {
    if (level === null || typeof level !== "object" || Array.isArray(level)) throw invalidToken(BAD_ACT);
    const { sub, act: inner } = level as Record<string, unknown>;
    if (typeof sub !== "string" || sub === "") throw invalidToken(BAD_ACT);
    subs.push(sub);
    level = inner;
  } while (level !== undefined);
  return subs;
}

/** Granted agent scopes: `scope` split on spaces, or its items when an array; deduplicated, frozen. */
export function agentScopes(claims: AgentClaims): readonly string[] {
  const scope: unknown = claims.scope;
  const items = typeof scope === "string" ? scope.split(" ") : Array.isArray(scope) ? (scope as string[]) : [];
  return Object.freeze([...new Set(items.filter((s) => s !== ""))]);
}

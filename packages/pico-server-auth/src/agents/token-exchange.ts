import { randomUUID } from "node:crypto";
import { AGENT_TOKEN_TYPE, scopeGranted } from "pico-client-auth/contract";
import { component, inject } from "pico-ioc";
import { agentAudienceOf } from "../config/agent-settings-check.js";
import { AuthEvents } from "../events/auth-events.js";
import { SigningKeys } from "../keys/signing-keys.js";
import { ServerAuthSettings } from "../settings.js";
import { RevocationList } from "../sessions/revocation-list.js";
import { SESSION_STORE } from "../sessions/session-store.js";
import type { RefreshFamily, SessionStore } from "../sessions/session-store.js";
import { Sessions, sessionEnd } from "../sessions/sessions.js";
import { JWT_TOKEN_TYPE_URI, MAX_ACTOR_CHAIN } from "./exchange-request.js";
import type { ExchangeRequest } from "./exchange-request.js";
import { OAuthError, invalidGrant } from "./oauth-error.js";
import { chainLength, verifiedSubject } from "./subject-token.js";
import type { ActorClaim, SubjectToken } from "./subject-token.js";

/** The token response of an exchange (RFC 8693 §2.2.1). */
export interface IssuedAgentToken {
  readonly access_token: string;
  readonly issued_token_type: typeof JWT_TOKEN_TYPE_URI;
  readonly token_type: "Bearer";
  readonly expires_in: number;
  readonly scope: string;
}

/**
 * RFC 8693 token exchange for agents: a user's access token (or, with allow_agent_token_exchange, an
 * agent token) becomes an agent token (`typ: agent+jwt`, the agent audience) that names the agent in
 * `act` and carries only scopes the user's role may delegate (server_auth.role_scopes). The agent
 * token is recorded as an access token of the user's session, so whatever revokes the session
 * (logout, refresh reuse, an operator) lists it in the revocation feed too.
 */
@component()
export class TokenExchange {
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly agentAudience: string;

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly keys: SigningKeys,
    private readonly revocations: RevocationList,
    @inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly events: AuthEvents,
    private readonly sessions: Sessions,
  ) {
    this.agentAudience = agentAudienceOf(settings);
  }

  async exchange(request: ExchangeRequest, client: string): Promise<IssuedAgentToken> {
    const now = this.now();
    if (request.audience !== undefined && request.audience !== this.agentAudience) {
      throw new OAuthError("invalid_target", `audience expected ${JSON.stringify(this.agentAudience)} (agent tokens are for the agent audience), got ${JSON.stringify(request.audience.slice(0, 80))}`);
    }
    const subject = verifiedSubject(this.keys, this.settings, this.agentAudience, request.subjectToken, now);
    if (this.revocations.isRevoked(subject.jti)) throw invalidGrant("subject_token is revoked");
    const session = await this.#liveSession(subject, now);
    this.#checkScopes(request.scopes, session.role, subject);
    const act: ActorClaim = subject.kind === "agent" ? { sub: request.actor, act: subject.act } : { sub: request.actor };
    if (chainLength(act) > MAX_ACTOR_CHAIN) throw invalidGrant(`subject_token's delegation chain is too long: at most ${MAX_ACTOR_CHAIN} agents`);
    const caps = [now + this.settings.agentTokenExpireMinutes * 60, sessionEnd(session, this.settings), ...(subject.kind === "agent" ? [subject.exp] : [])];
    const exp = Math.min(...caps);
    const jti = randomUUID();
    const scope = request.scopes.join(" ");
    const payload = {
      iss: this.settings.issuer,
      aud: this.agentAudience,
      sub: subject.sub,
      act,
      scope,
      sid: session.id,
      role: session.role,
      client_id: subject.clientId ?? this.settings.clientId ?? this.settings.audience,
      iat: now,
      exp,
      jti,
      ...(request.taskId === undefined ? {} : { task_id: request.taskId }),
      ...(request.spendLimit === undefined ? {} : { spend_limit: request.spendLimit }),
    };
    const token = await this.keys.sign(payload, AGENT_TOKEN_TYPE);
    // Recorded after signing, in one step with revocation: a session revoked meanwhile refuses it.
    if (!(await this.store.recordAccess(session.id, { jti, exp }))) throw invalidGrant("the session of subject_token is revoked");
    this.events.agentTokenIssued({ id: session.id, sub: session.sub, role: session.role }, { actor: request.actor, scope, chained: subject.kind === "agent", client });
    return { access_token: token, issued_token_type: JWT_TOKEN_TYPE_URI, token_type: "Bearer", expires_in: exp - now, scope };
  }

  /**
   * The subject token's session, from the store: it must exist, be unrevoked, belong to the token's
   * subject, not have ended, and still hold the credential it began with (as a refresh checks: a
   * changed admin password or wallet binding ends it here too, and revokes it).
   */
  async #liveSession(subject: SubjectToken, now: number): Promise<RefreshFamily> {
    const session = await this.store.family(subject.sid);
    if (!session || session.revokedAt !== undefined || session.sub !== subject.sub) throw invalidGrant("the session of subject_token is revoked or unknown");
    if (now >= sessionEnd(session, this.settings)) throw invalidGrant("the session of subject_token has ended");
    const changed = await this.sessions.endIfCredentialChanged(session, now);
    if (changed !== undefined) throw invalidGrant(`the session of subject_token has ended: ${changed}`);
    return session;
  }

  /** Every requested scope must be one the role may delegate; for a chained exchange, one the subject agent token holds too. */
  #checkScopes(requested: readonly string[], role: string, subject: SubjectToken): void {
    const patterns = Object.hasOwn(this.settings.roleScopes, role) ? (this.settings.roleScopes[role] ?? []) : [];
    const notDelegable = requested.filter((scope) => !patterns.some((p) => scopeGranted(p, scope)));
    if (notDelegable.length > 0) {
      throw new OAuthError("invalid_scope", `role ${JSON.stringify(role)} may not delegate ${list(notDelegable)} (server_auth.role_scopes)`);
    }
    if (subject.kind !== "agent") return;
    const wider = requested.filter((scope) => !subject.scopes.some((held) => scopeGranted(held, scope)));
    if (wider.length > 0) throw new OAuthError("invalid_scope", `the subject agent token does not hold ${list(wider)}: a chained exchange cannot widen its scopes`);
  }
}

function list(scopes: readonly string[]): string {
  return `scope${scopes.length === 1 ? "" : "s"} ${scopes.map((s) => JSON.stringify(s)).join(", ")}`;
}

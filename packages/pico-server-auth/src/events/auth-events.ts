import { LOGGER, METRICS, component, inject } from "pico-ioc";
import type { Counter, Logger, Metrics } from "pico-ioc";
import { TOKEN_PATH } from "../endpoints.js";
import { CLIENT_FAILURES, failureReason, retryAfterOf } from "./sign-in-failure.js";

/** The stable names of the security events (the `event` field of their log lines), all at warn. */
export const AUTH_EVENT = {
  loginFailed: "auth.login_failed",
  throttled: "auth.throttled",
  refreshReused: "auth.refresh_reused",
  sessionRevoked: "auth.session_revoked",
  keyRotated: "auth.key_rotated",
  keyWithdrawn: "auth.key_withdrawn",
  agentTokenIssued: "auth.agent_token_issued",
} as const;

/** Why sessions ended before their time: the `reason` field of `auth.session_revoked`. */
export type SessionRevocationReason = "logout" | "admin" | "refresh_reused" | "credential_changed" | "address_moved" | "address_unbound";

/** The routes a client can be throttled on: the `route` label of `pico_auth_throttled_total`, as the route templates of the request metrics. */
export const THROTTLED_ROUTE = {
  challenge: "/api/v1/auth/challenge",
  login: "/api/v1/auth/login",
  refresh: "/api/v1/auth/refresh",
  token: TOKEN_PATH,
} as const;
export type ThrottledRoute = (typeof THROTTLED_ROUTE)[keyof typeof THROTTLED_ROUTE];
/** The routes that sign in: the `route` field of `auth.login_failed`. */
export type SignInRoute = typeof THROTTLED_ROUTE.login | "/api/v1/auth/sign-in";

/** What is known of a sign-in that failed. Never a secret, nor anything the client typed that was not checked. */
export interface SignInAttempt {
  readonly route: SignInRoute;
  readonly client: string;
  /** `password`, or the wallet's algorithm once known. */
  readonly method?: string | undefined;
  /** A wallet address, only once a challenge was found for it (before, it is unchecked input, perhaps a key pasted in the wrong field). */
  readonly address?: string | undefined;
  /** Password login: whether the email typed was the admin's (the email itself is never logged: it may be a password typed in the wrong field). */
  readonly adminEmail?: boolean | undefined;
}

/** An agent token issued: for whom (`actor`), with which scopes, whether from another agent token, and the client that asked. */
export interface AgentDelegation {
  readonly actor: string;
  readonly scope: string;
  readonly chained: boolean;
  readonly client: string;
}

/** A session, as the events name it: its id (`sid`), never its tokens. */
export interface SessionRef {
  readonly id: string;
  readonly sub: string;
  readonly role?: string;
}

/**
 * Where pico-server-auth reports security events: each is one warn line with a stable `event` name
 * (AUTH_EVENT) and counted in the metrics, so that alerts can follow either. Instruments are made
 * here, once. Never given a token, password, signature, nonce or refresh hash: subjects, session ids,
 * client keys and kids only.
 */
@component()
export class AuthEvents {
  readonly #logger: Logger;
  readonly #signIns: Counter;
  readonly #failures: Counter;
  readonly #refreshes: Counter;
  readonly #reuse: Counter;
  readonly #throttled: Counter;
  readonly #agentTokens: Counter;
  readonly #exchangeRefusals: Counter;

  constructor(@inject(LOGGER) logger: Logger, @inject(METRICS) metrics: Metrics) {
    this.#logger = logger;
    this.#signIns = metrics.counter("pico_auth_sign_ins_total", "Sign-ins that issued tokens, by method: password, or the wallet's algorithm", ["method"]);
    this.#failures = metrics.counter("pico_auth_sign_in_failures_total", "Sign-ins refused, by reason", ["reason"]);
    this.#refreshes = metrics.counter("pico_auth_refreshes_total", "Refresh tokens exchanged for new tokens");
    this.#reuse = metrics.counter("pico_auth_refresh_reuse_total", "Used refresh tokens presented again (each revokes its session)");
    this.#throttled = metrics.counter("pico_auth_throttled_total", "Requests refused with 429, by route", ["route"]);
    this.#agentTokens = metrics.counter("pico_auth_agent_tokens_total", "Agent tokens issued by token exchange, by subject: access (a user's token) or agent (a chained exchange)", ["subject"]);
    this.#exchangeRefusals = metrics.counter("pico_auth_token_exchange_failures_total", "Token exchanges refused, by OAuth error code", ["error"]);
  }

  /** Tokens issued for a sign-in or admin login (counted, not logged: the access log has the request). */
  signedIn(method: string): void {
    this.#signIns.inc({ method });
  }

  /**
   * A sign-in that ended with `error`: counted by reason. The client's failures are logged as
   * `auth.login_failed`, a throttled one as `auth.throttled`; the server's own failures (busy, store
   * unavailable) are only counted here, and logged where they happen.
   */
  signInFailed(error: unknown, attempt: SignInAttempt): void {
    const reason = failureReason(error);
    this.#failures.inc({ reason });
    if (reason === "throttled") {
      this.throttled(attempt.route, attempt.client, retryAfterOf(error));
      return;
    }
    if (!CLIENT_FAILURES.has(reason)) return;
    const { route, client, method, address, adminEmail } = attempt;
    this.#logger.warn(`pico-server-auth: sign-in refused (${reason})`, {
      event: AUTH_EVENT.loginFailed,
      reason,
      route,
      client,
      ...(method === undefined ? {} : { method }),
      ...(address === undefined ? {} : { address }),
      ...(adminEmail === undefined ? {} : { admin_email: adminEmail }),
    });
  }

  /** A request refused with 429 by a per-client limit (the routes are a fixed few: the label stays bounded). */
  throttled(route: ThrottledRoute | SignInRoute, client: string, retryAfterSeconds: number | undefined): void {
    this.#throttled.inc({ route });
    this.#logger.warn(`pico-server-auth: ${client} throttled on ${route}`, { event: AUTH_EVENT.throttled, route, client, ...(retryAfterSeconds === undefined ? {} : { retry_after: retryAfterSeconds }) });
  }

  refreshed(): void {
    this.#refreshes.inc();
  }

  /** A used refresh token came back: its session is revoked (whoever holds the copy, thief or owner, is cut off). */
  refreshReused(session: SessionRef, client: string | undefined): void {
    this.#reuse.inc();
    this.#logger.warn(`pico-server-auth: a used refresh token of session ${session.id} was presented again; the session is revoked`, {
      event: AUTH_EVENT.refreshReused,
      sid: session.id,
      sub: session.sub,
      ...(session.role === undefined ? {} : { role: session.role }),
      ...(client === undefined ? {} : { client }),
    });
    this.sessionRevoked("refresh_reused", session);
  }

  /** One session ended early (logout, reuse, a changed credential). */
  sessionRevoked(reason: SessionRevocationReason, session: SessionRef): void {
    // A logout is the user's own, routine act: info, so LOG_LEVEL=warn keeps only what an operator must see.
    this.#logger[reason === "logout" ? "info" : "warn"](`pico-server-auth: session ${session.id} revoked (${reason})`, {
      event: AUTH_EVENT.sessionRevoked,
      reason,
      sid: session.id,
      sub: session.sub,
      ...(session.role === undefined ? {} : { role: session.role }),
    });
  }

  /** Every session of a subject ended (an admin's revocation, an address moved or unbound); `count` were live. */
  subjectRevoked(reason: SessionRevocationReason, sub: string, count: number): void {
    this.#logger.warn(`pico-server-auth: ${count} session${count === 1 ? "" : "s"} of ${sub} revoked (${reason})`, { event: AUTH_EVENT.sessionRevoked, reason, sub, count });
  }

  /**
   * A user's session delegated to an agent: logged at info as `auth.agent_token_issued` (who may now
   * act for whom, with what: the trail an operator follows when an agent misbehaves) and counted.
   */
  agentTokenIssued(session: SessionRef, delegation: AgentDelegation): void {
    this.#agentTokens.inc({ subject: delegation.chained ? "agent" : "access" });
    this.#logger.info(`pico-server-auth: agent ${delegation.actor} may act for ${session.sub} (session ${session.id}) with scope "${delegation.scope}"`, {
      event: AUTH_EVENT.agentTokenIssued,
      sid: session.id,
      sub: session.sub,
      ...(session.role === undefined ? {} : { role: session.role }),
      actor: delegation.actor,
      scope: delegation.scope,
      chained: delegation.chained,
      client: delegation.client,
    });
  }

  /** A token exchange refused (counted by its OAuth `error`, a fixed few values; not logged: the access log has the request). */
  exchangeRefused(error: string): void {
    this.#exchangeRefusals.inc({ error });
  }

  /** A new signing key: the first one (info), or a rotation that retired `previousKid` (warn). `why` is for people, not a field to match. */
  keyAdded(kid: string, alg: string, previousKid: string | undefined, why: string): void {
    const message = `pico-server-auth: new ${alg} signing key ${kid} (${why})`;
    if (previousKid === undefined) this.#logger.info(message, { event: "auth.key_created", kid, alg });
    else this.#logger.warn(message, { event: AUTH_EVENT.keyRotated, kid, alg, previous_kid: previousKid });
  }

  keyWithdrawn(kid: string): void {
    this.#logger.warn(`pico-server-auth: signing key ${kid} withdrawn; the tokens it signed are refused from now on`, { event: AUTH_EVENT.keyWithdrawn, kid });
  }
}

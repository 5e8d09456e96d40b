import { randomUUID } from "node:crypto";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy } from "pico-ioc";
import { unauthorized } from "../errors.js";
import { AuthEvents } from "../events/auth-events.js";
import type { SessionRef, SessionRevocationReason } from "../events/auth-events.js";
import { SigningKeys } from "../keys/signing-keys.js";
import { ServerAuthSettings } from "../settings.js";
import { SessionStamps } from "./credential-stamps.js";
import { RevocationList } from "./revocation-list.js";
import { SESSION_STORE } from "./session-store.js";
import type { RefreshFamily, SessionStore } from "./session-store.js";
import { isOpaqueRefreshToken, legacyRefreshHash, newRefreshToken, refreshTokenHash } from "./refresh-token.js";
import { verifiedToken } from "./verified-token.js";

/** A token response (RFC 6749 §5.1): `expires_in` is the access token's lifetime in seconds. */
export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
}

const PRUNE_EVERY_SECONDS = 3600;

/** When a session ends for good, whatever its refreshes: `session_max_days` after it began. No token of it outlives this. */
export function sessionEnd(family: Pick<RefreshFamily, "startedAt">, settings: Pick<ServerAuthSettings, "sessionMaxDays">): number {
  return family.startedAt + settings.sessionMaxDays * 86_400;
}
const RETRY_MS = 1000;

/**
 * A session is everything descended from one sign-in or login: its id is the `sid` claim of every
 * access token in it. Refresh tokens are opaque (random, kept hashed) and rotate: each works once,
 * and presenting a used one revokes the session (whoever holds the copy, thief or owner, is cut off).
 * A session ends for good `session_max_days` after it began, whatever its refreshes; an admin session
 * also when the admin account changes, a wallet session when its address is moved or unbound (SessionStamps).
 * Access tokens (RFC 9068, `typ: at+jwt`): `sub, iss, aud, client_id, iat, exp, jti, role, sid` plus
 * extra claims that cannot override those.
 */
@component()
export class Sessions implements OnDestroy {
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  #prunedAt = 0;
  /** Revocations by subject still to be retried (revokeSubjectEventually), by subject. */
  readonly #pendingRevocations = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly keys: SigningKeys,
    private readonly revocations: RevocationList,
    private readonly stamps: SessionStamps,
    @inject(SESSION_STORE) private readonly store: SessionStore,
    @inject(LOGGER) private readonly logger: Logger,
    private readonly events: AuthEvents,
  ) {}

  /**
   * Starts a session for `sub` and returns its first tokens. `signedWith`: the stamp of the credential
   * the sign-in proved (a wallet's key, see WalletSessionStamp); the session is then checked against
   * the credential's current stamp after it is stored, so a sign-in racing a move or an unbind is
   * either refused here or revoked by it.
   */
  async start(sub: string, role: string, claims: Record<string, unknown> = {}, signedWith?: string): Promise<IssuedTokens> {
    const now = this.now();
    const ids = { sid: randomUUID(), access: randomUUID() };
    const refreshToken = newRefreshToken();
    const stamp = signedWith ?? (await this.stamps.stampFor(role, sub));
    const session = { id: ids.sid, sub, role, claims, startedAt: now, ...(stamp === undefined ? {} : { stamp }) };
    const exp = this.#expiries(session, now);
    const family: RefreshFamily = { ...session, currentHash: refreshTokenHash(refreshToken), expiresAt: exp.refresh };
    const tokens = await this.#issue(family, ids, refreshToken, now, exp.access);
    await this.store.createFamily(family, { jti: ids.access, exp: exp.access });
    if (signedWith !== undefined) await this.#checkCredential(family, now);
    this.#prune(now);
    return tokens;
  }

  /**
   * Exchanges a refresh token for new tokens of the same session; 401 for anything but the current one
   * of a live session. `client` (the caller's client key) is only for the log of a reuse.
   */
  async refresh(refreshToken: string, client?: string): Promise<IssuedTokens> {
    const hash = this.#storedHash(refreshToken);
    const family = hash === undefined ? undefined : await this.store.familyOfRefresh(hash);
    if (!hash || !family) throw unauthorized("invalid refresh token");
    const now = this.now();
    // The session's own end comes before the token's: once it has passed, or its credential changed, nothing redeems.
    if (family.revokedAt === undefined) await this.#checkAlive(family, now);
    const next = newRefreshToken();
    const access = randomUUID();
    const exp = this.#expiries(family, now);
    // Signed before the rotation commits: once it has, nothing may fail, or the client never sees
    // the new refresh token and its retry with the old one would revoke its own session as reused.
    const tokens = await this.#issue(family, { sid: family.id, access }, next, now, exp.access);
    const result = await this.store.redeemRefresh(hash, { hash: refreshTokenHash(next), expiresAt: exp.refresh }, { jti: access, exp: exp.access }, now);
    if (result.outcome === "reused") {
      this.events.refreshReused(family, client);
      await this.revocations.revoked();
      throw unauthorized("refresh token already used: the session is revoked; sign in again");
    }
    if (result.outcome === "revoked") throw unauthorized("session revoked; sign in again");
    if (result.outcome === "expired") throw unauthorized("refresh token expired; sign in again");
    if (result.outcome === "unknown") throw unauthorized("invalid refresh token");
    this.events.refreshed();
    this.#prune(now);
    return tokens;
  }

  /** Ends the session a token belongs to (a refresh token, current or used, or an access token); its access tokens are refused from now on. */
  async end(token: string, type: "refresh" | "access"): Promise<void> {
    const session = type === "refresh" ? await this.#familyOfRefresh(token) : this.#sessionOfAccess(token);
    if (!session || !(await this.store.revokeFamily(session.id, this.now()))) throw unauthorized("invalid token");
    this.events.sessionRevoked("logout", session);
    await this.revocations.revoked();
  }

  /**
   * Ends every session of `sub` (an operator's decision, or `reason`), but those stamped `keepStamp`;
   * returns how many were live. Their access tokens are refused from now on.
   */
  async revokeSubject(sub: string, keepStamp?: string, reason: SessionRevocationReason = "admin"): Promise<number> {
    const revoked = await this.store.revokeSubject(sub, this.now(), keepStamp);
    this.events.subjectRevoked(reason, sub, revoked);
    await this.revocations.revoked();
    return revoked;
  }

  /**
   * Ends every session of `sub` after a change that is committed already (its address moved to
   * another key, or unbound), whose answer must say it took effect: never throws. When the store
   * fails, it tries again every second until it succeeds (meanwhile those sessions still end at their
   * next refresh, which checks the binding). Returns how many ended, or undefined while retrying.
   */
  async revokeSubjectEventually(sub: string, keepStamp?: string, reason: SessionRevocationReason = "admin"): Promise<number | undefined> {
    clearTimeout(this.#pendingRevocations.get(sub));
    this.#pendingRevocations.delete(sub);
    try {
      return await this.revokeSubject(sub, keepStamp, reason);
    } catch (error) {
      this.logger.error(`pico-server-auth: ending the sessions of ${sub} failed; retrying every second`, { err: error });
      this.#pendingRevocations.set(sub, setTimeout(() => void this.revokeSubjectEventually(sub, keepStamp, reason), RETRY_MS).unref());
      return undefined;
    }
  }

  onDestroy(): void {
    for (const timer of this.#pendingRevocations.values()) clearTimeout(timer);
    this.#pendingRevocations.clear();
  }

  #sessionEnd(family: Pick<RefreshFamily, "startedAt">): number {
    return sessionEnd(family, this.settings);
  }

  /** 401 for a session past its absolute lifetime; a session whose credential changed is revoked first, so its access tokens die now too. */
  async #checkAlive(family: RefreshFamily, now: number): Promise<void> {
    if (now >= this.#sessionEnd(family)) throw unauthorized("session expired; sign in again");
    await this.#checkCredential(family, now);
  }

  /** 401 for a session whose credential changed, revoked first, so its access tokens die now too. */
  async #checkCredential(family: RefreshFamily, now: number): Promise<void> {
    const changed = await this.endIfCredentialChanged(family, now);
    if (changed !== undefined) throw unauthorized(changed);
  }

  /**
   * Undefined while the credential `family` began with still holds. Otherwise the session is revoked
   * (its access and agent tokens die now too) and the reason is returned: for whatever would mint a
   * token from the session (a refresh, a token exchange).
   */
  async endIfCredentialChanged(family: RefreshFamily, now: number): Promise<string | undefined> {
    const changed = await this.stamps.changed(family);
    if (changed === undefined) return undefined;
    if (await this.store.revokeFamily(family.id, now)) this.events.sessionRevoked("credential_changed", family);
    await this.revocations.revoked();
    return changed;
  }

  /** The store key of a refresh token: the hash of an opaque one, or that of a JWT one from an earlier version (verified first). */
  #storedHash(token: string): string | undefined {
    if (isOpaqueRefreshToken(token)) return refreshTokenHash(token);
    const legacy = this.#verified(token, "refresh");
    return legacy && legacyRefreshHash(legacy.jti);
  }

  async #familyOfRefresh(token: string): Promise<RefreshFamily | undefined> {
    const hash = this.#storedHash(token);
    return hash === undefined ? undefined : await this.store.familyOfRefresh(hash);
  }

  #sessionOfAccess(token: string): SessionRef | undefined {
    const claims = this.#verified(token, "access");
    return claims && { id: claims.sid, sub: claims.sub, ...(typeof claims.role === "string" ? { role: claims.role } : {}) };
  }

  #verified(token: string, kind: "refresh" | "access") {
    return verifiedToken(this.keys, this.settings, token, kind, this.now());
  }

  async #issue(family: RefreshFamily, ids: { sid: string; access: string }, refresh_token: string, iat: number, exp: number): Promise<IssuedTokens> {
    const { issuer, audience, clientId, accessTokenTyp } = this.settings;
    const standard = { sub: family.sub, iss: issuer, aud: audience, client_id: clientId ?? audience, iat, exp, jti: ids.access, sid: ids.sid, role: family.role };
    const access_token = await this.keys.sign({ ...family.claims, ...standard }, accessTokenTyp);
    return { access_token, refresh_token, token_type: "Bearer", expires_in: exp - iat };
  }

  /** The expiries of tokens issued at `now`: their own lifetimes, never past the session's end. */
  #expiries(family: Pick<RefreshFamily, "startedAt">, now: number): { access: number; refresh: number } {
    const end = this.#sessionEnd(family);
    return {
      access: Math.min(now + this.settings.accessTokenExpireMinutes * 60, end),
      refresh: Math.min(now + this.settings.refreshTokenExpireDays * 86_400, end),
    };
  }

  /**
   * Expired sessions and access-token records are dropped now and then, not on every sign-in, in the
   * background: housekeeping never fails or delays the answer of a session that was committed.
   */
  #prune(now: number): void {
    if (now - this.#prunedAt < PRUNE_EVERY_SECONDS) return;
    this.#prunedAt = now;
    this.store.prune(now).catch((error: unknown) => {
      this.#prunedAt = 0;
      this.logger.warn("pico-server-auth: pruning expired sessions failed; trying again at the next session", { err: error });
    });
  }
}

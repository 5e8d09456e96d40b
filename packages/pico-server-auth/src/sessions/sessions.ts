import { randomUUID } from "node:crypto";
import { component, inject } from "pico-ioc";
import { unauthorized } from "../errors.js";
import { SigningKeys } from "../keys/signing-keys.js";
import { ServerAuthSettings } from "../settings.js";
import { AUTH_STORE } from "../store/auth-store.js";
import type { AuthStore, RefreshFamily } from "../store/auth-store.js";
import { RevocationList } from "./revocation-list.js";
import { isOpaqueRefreshToken, legacyRefreshHash, newRefreshToken, refreshTokenHash } from "./refresh-token.js";

export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

const PRUNE_EVERY_SECONDS = 3600;

/**
 * A session is everything descended from one sign-in or login: its id is the `sid` claim of every
 * access token in it. Refresh tokens are opaque (random, kept hashed) and rotate: each works once,
 * and presenting a used one revokes the session (whoever holds the copy, thief or owner, is cut off).
 * Access tokens: `sub, iss, aud, iat, exp, jti, role, sid` plus extra claims that cannot override those.
 */
@component()
export class Sessions {
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  #prunedAt = 0;

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly keys: SigningKeys,
    private readonly revocations: RevocationList,
    @inject(AUTH_STORE) private readonly store: AuthStore,
  ) {}

  /** Starts a session for `sub` and returns its first tokens. */
  async start(sub: string, role: string, claims: Record<string, unknown> = {}): Promise<IssuedTokens> {
    const now = this.now();
    const ids = { sid: randomUUID(), access: randomUUID() };
    const refreshToken = newRefreshToken();
    const family: RefreshFamily = { id: ids.sid, sub, role, claims, currentHash: refreshTokenHash(refreshToken), expiresAt: this.#refreshExp(now), startedAt: now };
    await this.store.createFamily(family, { jti: ids.access, exp: this.#accessExp(now) });
    await this.#prune(now);
    return this.#issue(family, ids, refreshToken, now);
  }

  /** Exchanges a refresh token for new tokens of the same session; 401 for anything but the current one. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const hash = this.#storedHash(refreshToken);
    if (!hash) throw unauthorized("invalid refresh token");
    const now = this.now();
    const next = newRefreshToken();
    const access = randomUUID();
    const result = await this.store.redeemRefresh(hash, { hash: refreshTokenHash(next), expiresAt: this.#refreshExp(now) }, { jti: access, exp: this.#accessExp(now) }, now);
    if (result.outcome === "reused") {
      await this.revocations.reload();
      throw unauthorized("refresh token already used: the session is revoked; sign in again");
    }
    if (result.outcome === "revoked") throw unauthorized("session revoked; sign in again");
    if (result.outcome === "expired") throw unauthorized("refresh token expired; sign in again");
    if (result.outcome === "unknown") throw unauthorized("invalid refresh token");
    await this.#prune(now);
    return this.#issue(result.family, { sid: result.family.id, access }, next, now);
  }

  /** Ends the session a token belongs to (a refresh token, current or used, or an access token); its access tokens are refused from now on. */
  async end(token: string, type: "refresh" | "access"): Promise<void> {
    const sid = type === "refresh" ? await this.#familyOfRefresh(token) : this.#verifiedAccess(token)?.sid;
    if (!sid || !(await this.store.revokeFamily(sid, this.now()))) throw unauthorized("invalid token");
    await this.revocations.reload();
  }

  /** The store key of a refresh token: the hash of an opaque one, or that of a JWT one from an earlier version (verified first). */
  #storedHash(token: string): string | undefined {
    if (isOpaqueRefreshToken(token)) return refreshTokenHash(token);
    const legacy = this.#verified(token, "refresh");
    return legacy && legacyRefreshHash(legacy.jti);
  }

  async #familyOfRefresh(token: string): Promise<string | undefined> {
    const hash = this.#storedHash(token);
    return hash === undefined ? undefined : (await this.store.familyOfRefresh(hash))?.id;
  }

  #verifiedAccess(token: string): { sid: string; jti: string } | undefined {
    return this.#verified(token, "access");
  }

  /** The claims of one of our unexpired JWTs of `type` with a session id, or undefined. */
  #verified(token: string, type: "refresh" | "access"): { sid: string; jti: string } | undefined {
    const payload = this.keys.verifiedPayload(token);
    if (!payload) return undefined;
    const { sid, jti, iss, aud, exp } = payload;
    const audiences = Array.isArray(aud) ? aud : [aud];
    const typeFits = type === "refresh" ? payload.type === "refresh" : payload.type === undefined;
    const valid = typeFits && typeof sid === "string" && typeof jti === "string" && iss === this.settings.issuer && audiences.includes(this.settings.audience) && typeof exp === "number" && exp > this.now();
    return valid ? { sid, jti } : undefined;
  }

  async #issue(family: RefreshFamily, ids: { sid: string; access: string }, refresh_token: string, iat: number): Promise<IssuedTokens> {
    const standard = { sub: family.sub, iss: this.settings.issuer, aud: this.settings.audience, iat, sid: ids.sid };
    const access_token = await this.keys.sign({ ...family.claims, ...standard, exp: this.#accessExp(iat), jti: ids.access, role: family.role });
    return { access_token, refresh_token };
  }

  #accessExp(now: number): number {
    return now + this.settings.accessTokenExpireMinutes * 60;
  }

  #refreshExp(now: number): number {
    return now + this.settings.refreshTokenExpireDays * 86_400;
  }

  /** Expired sessions and access-token records are dropped now and then, not on every sign-in. */
  async #prune(now: number): Promise<void> {
    if (now - this.#prunedAt < PRUNE_EVERY_SECONDS) return;
    this.#prunedAt = now;
    await this.store.prune(now);
  }
}

import { component, inject } from "pico-ioc";
import type { OnInit, Token } from "pico-ioc";
import { ServerAuthSettings } from "../settings.js";
import { AUTH_STORE } from "../store/auth-store.js";
import type { AuthStore, IssuedAccessToken } from "../store/auth-store.js";

/** pico-client-auth's in-process revocation check looks for this (a shared `Symbol.for`, no dependency). */
export const LOCAL_REVOCATIONS = Symbol.for("pico-auth.local-revocations") as Token<RevocationList>;

/**
 * The unexpired access tokens of revoked sessions, in memory: the guard of this same Application asks
 * `isRevoked` on every request (a map lookup), and the revocation feed publishes `items()`.
 */
@component({ provides: LOCAL_REVOCATIONS })
export class RevocationList implements OnInit {
  readonly issuer: string;
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly #store: AuthStore;
  #revoked = new Map<string, number>();

  constructor(settings: ServerAuthSettings, @inject(AUTH_STORE) store: AuthStore) {
    this.issuer = settings.issuer;
    this.#store = store;
  }

  onInit(): Promise<void> {
    return this.reload();
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Rereads the store: called after every revocation, so expired entries fall away then too. */
  async reload(): Promise<void> {
    const tokens = await this.#store.revokedAccessTokens(this.now());
    this.#revoked = new Map(tokens.map((t) => [t.jti, t.exp]));
  }

  items(): IssuedAccessToken[] {
    const now = this.now();
    return [...this.#revoked].filter(([, exp]) => exp > now).map(([jti, exp]) => ({ jti, exp }));
  }
}

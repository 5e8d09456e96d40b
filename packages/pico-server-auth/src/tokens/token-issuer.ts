import { randomUUID } from "node:crypto";
import { component } from "pico-ioc";
import { SigningKey } from "../keys/signing-key.js";
import { ServerAuthSettings } from "../settings.js";

export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

/**
 * Access tokens: `sub, iss, aud, iat, exp, jti, role` plus any extra claims (which cannot override
 * those). Refresh tokens: `type: "refresh"`, refused by pico-client-auth on API routes.
 */
@component()
export class TokenIssuer {
  readonly #settings: ServerAuthSettings;
  readonly #key: SigningKey;
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);

  constructor(settings: ServerAuthSettings, key: SigningKey) {
    this.#settings = settings;
    this.#key = key;
  }

  async issue(sub: string, role: string, extraClaims: Record<string, unknown> = {}): Promise<IssuedTokens> {
    const iat = this.now();
    const standard = { sub, iss: this.#settings.issuer, aud: this.#settings.audience, iat };
    const [access_token, refresh_token] = await Promise.all([
      this.#key.sign({ ...extraClaims, ...standard, exp: iat + this.#settings.accessTokenExpireMinutes * 60, jti: randomUUID(), role }),
      this.#key.sign({ ...standard, exp: iat + this.#settings.refreshTokenExpireDays * 86_400, jti: randomUUID(), type: "refresh" }),
    ]);
    return { access_token, refresh_token };
  }
}

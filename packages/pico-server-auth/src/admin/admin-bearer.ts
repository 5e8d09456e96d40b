import { component, inject } from "pico-ioc";
import type { RequestContext } from "pico-hono";
import { ServerAuthError, unauthorized } from "../errors.js";
import { bearerToken } from "../http-input.js";
import { SigningKeys } from "../keys/signing-keys.js";
import { SessionStamps } from "../sessions/credential-stamps.js";
import { SESSION_STORE } from "../sessions/session-store.js";
import type { SessionStore } from "../sessions/session-store.js";
import { RevocationList } from "../sessions/revocation-list.js";
import type { SessionTokenClaims } from "../sessions/verified-token.js";
import { verifiedToken } from "../sessions/verified-token.js";
import { ServerAuthSettings } from "../settings.js";

const REALM = 'Bearer realm="admin"';

/**
 * The check in front of every admin-only route. The auth server checks the admin's access token itself
 * (pico-server-auth does not depend on pico-client-auth, whose guard may not even be loaded): signed
 * by a kept key, our `iss` and `aud`, unexpired, an access token (`typ`), `role: "admin"`, not revoked,
 * and its session still live with the admin credential it began with (a changed password or admin
 * login turned off refuses it at once, not only at the next refresh).
 */
@component()
export class AdminBearer {
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly keys: SigningKeys,
    private readonly revocations: RevocationList,
    private readonly stamps: SessionStamps,
    @inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  /** The admin's claims; 401 (with `WWW-Authenticate`) without a valid admin access token, 403 for another role's. */
  async require(ctx: RequestContext): Promise<SessionTokenClaims> {
    const token = bearerToken(ctx);
    if (!token) throw unauthorized("admin access token required", { "WWW-Authenticate": REALM });
    const claims = verifiedToken(this.keys, this.settings, token, "access", this.now());
    if (!claims || this.revocations.isRevoked(claims.jti)) throw invalidToken("invalid or revoked access token");
    if (claims.role !== "admin") {
      throw new ServerAuthError("FORBIDDEN", 403, "admin role required", { "WWW-Authenticate": `${REALM}, error="insufficient_scope"` });
    }
    const session = await this.store.family(claims.sid);
    if (!session || session.revokedAt !== undefined) throw invalidToken("invalid or revoked access token");
    if (await this.stamps.changed(session)) throw invalidToken("admin credentials changed or admin login disabled; sign in again");
    return claims;
  }
}

const invalidToken = (detail: string) => unauthorized(detail, { "WWW-Authenticate": `${REALM}, error="invalid_token"` });

import { ClientAddresses, RequestContext, controller, get, post } from "pico-hono";
import { inject } from "pico-ioc";
import { badRequest, notFound, unauthorized } from "./errors.js";
import { AuthEvents, THROTTLED_ROUTE } from "./events/auth-events.js";
import { allowAnonymous, asObject, bearerToken, jsonObject, noStore, secretsEqual } from "./http-input.js";
import { RATE_LIMIT_STORE } from "./limits/rate-limit-store.js";
import type { RateLimitStore } from "./limits/rate-limit-store.js";
import { chargeClient } from "./limits/client-quota.js";
import { WindowCounter } from "./limits/window-counter.js";
import { RevocationList } from "./sessions/revocation-list.js";
import { Sessions } from "./sessions/sessions.js";
import { ServerAuthSettings } from "./settings.js";
import { LOGOUT_DOCS, REFRESH_DOCS, REVOCATIONS_DOCS, STORE_DOWN } from "./openapi-docs.js";

const REFRESH_WINDOW_SECONDS = 60;

/**
 * The session endpoints: refresh (rotating), logout, and the revocation feed other services poll.
 * Public for pico-client-auth's guard: each checks its own credential.
 */
@allowAnonymous
@controller({ prefix: "/api/v1/auth", tags: ["Auth"] })
export class SessionController {
  /** Refreshes per client per window (`refresh:<client>`): a stolen-token guessing or replay loop is slowed down, not only the store. */
  readonly refreshQuota: WindowCounter;

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly sessions: Sessions,
    private readonly revocations: RevocationList,
    private readonly events: AuthEvents,
    private readonly clients: ClientAddresses,
    @inject(RATE_LIMIT_STORE) counters: RateLimitStore,
  ) {
    this.refreshQuota = new WindowCounter(counters, "refresh", settings.refreshesPerClient, REFRESH_WINDOW_SECONDS);
  }

  @post("/refresh", {
    summary: "New tokens for a refresh token; each refresh token works once",
    responses: { ...STORE_DOWN, 400: "refresh_token required", 401: "Invalid, expired, reused or revoked refresh token, or an ended session", 429: "Too many refreshes from this client" },
    openapi: REFRESH_DOCS,
  })
  async refresh(ctx: RequestContext) {
    // Counted before anything is read: malformed attempts count too.
    const client = this.clients.clientKey(ctx.c);
    await chargeClient(this.refreshQuota, client, THROTTLED_ROUTE.refresh, this.events, "too many refreshes; try again later");
    const { refresh_token } = await jsonObject(ctx);
    if (typeof refresh_token !== "string" || refresh_token === "") throw badRequest("refresh_token required");
    noStore(ctx);
    return this.sessions.refresh(refresh_token, client);
  }

  @post("/logout", {
    summary: "Ends the session of the refresh token in the body, or of the bearer access token",
    status: 204,
    responses: { ...STORE_DOWN, 400: "No token given", 401: "invalid token" },
    openapi: LOGOUT_DOCS,
  })
  async logout(ctx: RequestContext): Promise<void> {
    // A body names a refresh token; without one, the caller's own access token is the session.
    const body = await ctx.optionalJson();
    if (body !== undefined) {
      const { refresh_token } = asObject(body);
      if (typeof refresh_token !== "string" || refresh_token === "") throw badRequest("refresh_token required");
      return this.sessions.end(refresh_token, "refresh");
    }
    const access = bearerToken(ctx);
    if (!access) throw badRequest("a JSON body with refresh_token, or an Authorization: Bearer access token, required");
    return this.sessions.end(access, "access");
  }

  @get("/revocations", { summary: "Revoked, unexpired access tokens, for pico-client-auth's revocation_endpoint (service credential required)", responses: { ...STORE_DOWN, 401: "invalid service credential", 404: "feed disabled" }, openapi: REVOCATIONS_DOCS })
  revocationFeed(ctx: RequestContext) {
    const expected = this.settings.revocationFeedBearer;
    if (!expected) throw notFound("revocation feed disabled: set server_auth.revocation_feed_bearer to serve it");
    const given = bearerToken(ctx);
    if (!given || !secretsEqual(given, expected)) {
      throw unauthorized("invalid service credential", { "WWW-Authenticate": 'Bearer realm="revocations", error="invalid_token"' });
    }
    noStore(ctx);
    return { items: this.revocations.items() };
  }
}


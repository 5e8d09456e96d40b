import { ClientAddresses, HTTPException, RequestContext, controller, post } from "pico-hono";
import { inject } from "pico-ioc";
import { TOKEN_PATH } from "../endpoints.js";
import { AuthEvents, THROTTLED_ROUTE } from "../events/auth-events.js";
import { allowAnonymous, noStore } from "../http-input.js";
import { RATE_LIMIT_STORE } from "../limits/rate-limit-store.js";
import type { RateLimitStore } from "../limits/rate-limit-store.js";
import { chargeClient } from "../limits/client-quota.js";
import { WindowCounter } from "../limits/window-counter.js";
import { STORE_DOWN, TOKEN_EXCHANGE_DOCS } from "../openapi-docs.js";
import { ServerAuthSettings } from "../settings.js";
import { parseExchangeRequest } from "./exchange-request.js";
import { OAuthError } from "./oauth-error.js";
import { TokenExchange } from "./token-exchange.js";

const TOKEN_WINDOW_SECONDS = 60;

/**
 * The token endpoint (RFC 6749 §3.2), for RFC 8693 token exchange only: agent tokens. Public for
 * pico-client-auth's guard: the subject token in the body is the credential. Takes a form, as RFC 8693
 * requires, or JSON; every refusal is `{"detail", "error", "error_description"}`.
 */
@allowAnonymous
@controller({ tags: ["Auth"] })
export class TokenController {
  /** Exchanges per client per window (`token:<client>`), as many as refreshes (`refreshes_per_client`). */
  readonly quota: WindowCounter;

  constructor(
    private readonly exchange: TokenExchange,
    private readonly events: AuthEvents,
    private readonly clients: ClientAddresses,
    settings: ServerAuthSettings,
    @inject(RATE_LIMIT_STORE) counters: RateLimitStore,
  ) {
    this.quota = new WindowCounter(counters, "token", settings.refreshesPerClient, TOKEN_WINDOW_SECONDS);
  }

  @post(TOKEN_PATH, {
    summary: "RFC 8693 token exchange: an agent token for a user's access token",
    responses: {
      ...STORE_DOWN,
      400: "invalid_request, unsupported_grant_type, invalid_grant (bad, expired or revoked subject token, ended session), invalid_scope or invalid_target; the body also carries error and error_description",
      429: "Too many token requests from this client",
    },
    openapi: TOKEN_EXCHANGE_DOCS,
  })
  async token(ctx: RequestContext) {
    // Counted before anything is read, as /refresh: malformed attempts count too.
    const client = this.clients.clientKey(ctx.c);
    await chargeClient(this.quota, client, THROTTLED_ROUTE.token, this.events, "too many token requests; try again later");
    noStore(ctx);
    try {
      return await this.exchange.exchange(parseExchangeRequest(await this.#fields(ctx)), client);
    } catch (error) {
      if (error instanceof OAuthError) this.events.exchangeRefused(error.error);
      throw error;
    }
  }

  /** The body as strings; its 400s (empty, repeated, not an object) are invalid_request, its 415 keeps its status with OAuth's fields. */
  async #fields(ctx: RequestContext): Promise<Readonly<Record<string, string>>> {
    try {
      return await ctx.formOrJson();
    } catch (error) {
      if (!(error instanceof HTTPException) || typeof error.detail !== "string") throw error;
      const detail = error.detail;
      this.events.exchangeRefused("invalid_request");
      throw new HTTPException(error.status, detail, { responseFields: { error: "invalid_request", error_description: detail }, cause: error });
    }
  }
}

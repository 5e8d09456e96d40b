import { ClientAddresses, RequestContext, controller, post } from "pico-hono";
import { inject } from "pico-ioc";
import { AuthEvents, THROTTLED_ROUTE } from "./events/auth-events.js";
import { allowAnonymous, jsonObject, noStore } from "./http-input.js";
import { RATE_LIMIT_STORE } from "./limits/rate-limit-store.js";
import type { RateLimitStore } from "./limits/rate-limit-store.js";
import { chargeClient } from "./limits/client-quota.js";
import { WindowCounter } from "./limits/window-counter.js";
import { AdminLogin } from "./login/admin-login.js";
import { ServerAuthSettings } from "./settings.js";
import { Sessions } from "./sessions/sessions.js";
import { afterBoot } from "./after-boot.js";
import { CHALLENGE_DOCS, LOGIN_DOCS, MOVE_DOCS, SIGN_IN_DOCS, STORE_DOWN } from "./openapi-docs.js";
import { loadMlDsaVerifier } from "./wallet/verify-signature.js";
import { challengeAddress } from "./wallet/wallet-requests.js";
import { WalletSignIn } from "./wallet/wallet-sign-in.js";

/** The auth server's sign-in endpoints; all public (they are how a client gets a token in the first place). The key sets: JwksController. */
@allowAnonymous
@controller({ prefix: "/api/v1/auth", tags: ["Auth"] })
export class AuthController {
  /** Challenges per client per challenge TTL (`challenge:<client>`), counted in every instance that shares the counters. */
  readonly challengeQuota: WindowCounter;

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly sessions: Sessions,
    private readonly login: AdminLogin,
    private readonly wallets: WalletSignIn,
    private readonly events: AuthEvents,
    private readonly clients: ClientAddresses,
    @inject(RATE_LIMIT_STORE) counters: RateLimitStore,
  ) {
    this.challengeQuota = new WindowCounter(counters, "challenge", settings.challengesPerClient, settings.challengeTtlSeconds);
    // Loaded in the background once boot is over: ready long before a wallet has signed its first
    // challenge (a sign-in that comes sooner waits for it).
    if (settings.supportedWalletAlgorithms.includes("ML-DSA-65")) afterBoot(() => void loadMlDsaVerifier().catch(() => undefined));
  }

  @post("/challenge", { summary: "A one-time challenge for a wallet address, and the sign-in message to sign", responses: { ...STORE_DOWN, 400: "address required, unsupported algorithm or bad move_to", 429: "Too many challenges" }, openapi: CHALLENGE_DOCS })
  async challenge(ctx: RequestContext) {
    const body = await jsonObject(ctx);
    // Validated before the quota counts it; the quota keeps the store's bound from becoming a way to
    // evict other users' challenges.
    challengeAddress(body.address);
    const client = this.clients.clientKey(ctx.c);
    await chargeClient(this.challengeQuota, client, THROTTLED_ROUTE.challenge, this.events, "too many challenges requested; try again later");
    return this.wallets.challenge(body);
  }

  @post("/sign-in", {
    summary: "Exchange a signed challenge for tokens",
    responses: { ...STORE_DOWN, 400: "Missing fields, bad hex or unsupported algorithm", 401: "Invalid challenge, message, signature or key, or an address the key does not own" },
    openapi: SIGN_IN_DOCS,
  })
  async signIn(ctx: RequestContext) {
    const result = await this.wallets.signIn(await jsonObject(ctx), this.clients.clientKey(ctx.c));
    noStore(ctx);
    return result;
  }

  @post("/move", {
    summary: "Move a wallet address to a new key, signed by the key that holds it and by the new key",
    responses: { ...STORE_DOWN, 400: "Missing fields or bad hex", 401: "Invalid challenge or signature, or not the holder", 403: "upstream wallet mode", 409: "Moved meanwhile" },
    openapi: MOVE_DOCS,
  })
  async move(ctx: RequestContext) {
    return this.wallets.move(await jsonObject(ctx));
  }

  @post("/login", { summary: "Password login for the bootstrap admin", responses: { ...STORE_DOWN, 401: "invalid credentials", 403: "password login disabled", 429: "Too many failures", 503: "The auth store is unavailable, or too many logins are being checked at once; try again later" }, openapi: LOGIN_DOCS })
  async adminLogin(ctx: RequestContext) {
    const client = this.clients.clientKey(ctx.c);
    const { email, password } = await jsonObject(ctx);
    // Reports its own refusals: it alone knows whether the email was the admin's.
    await this.login.verify(email, password, client);
    noStore(ctx);
    // Emails match case-insensitively; the subject is the configured one, however it was typed.
    const tokens = await this.sessions.start(this.settings.adminEmail, "admin").catch((error: unknown) => {
      this.events.signInFailed(error, { route: THROTTLED_ROUTE.login, client, method: "password" });
      throw error;
    });
    this.events.signedIn("password");
    return tokens;
  }
}

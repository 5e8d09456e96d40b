import { ClientAddresses, RequestContext, controller, get, post } from "pico-hono";
import { forbidden, rateLimited, unauthorized } from "./errors.js";
import { WindowCounter } from "./login/window-counter.js";
import { allowAnonymous, jsonObject, noStore } from "./http-input.js";
import { SigningKeys } from "./keys/signing-keys.js";
import { AdminLogin } from "./login/admin-login.js";
import { ServerAuthSettings } from "./settings.js";
import { Sessions } from "./sessions/sessions.js";
import { afterBoot } from "./after-boot.js";
import { loadMlDsaVerifier } from "./wallet/verify-signature.js";
import { challengeAddress } from "./wallet/wallet-requests.js";
import { WalletSignIn } from "./wallet/wallet-sign-in.js";

/** The auth server's endpoints; all public (they are how a client gets a token in the first place). */
@allowAnonymous
@controller({ prefix: "/api/v1/auth", tags: ["Auth"] })
export class AuthController {
  readonly challengeQuota: WindowCounter;

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly keys: SigningKeys,
    private readonly sessions: Sessions,
    private readonly login: AdminLogin,
    private readonly wallets: WalletSignIn,
    private readonly clients: ClientAddresses,
  ) {
    this.challengeQuota = new WindowCounter(settings.challengesPerClient, settings.challengeTtlSeconds);
    // Loaded in the background once boot is over: ready long before a wallet has signed its first
    // challenge (a sign-in that comes sooner waits for it).
    if (settings.supportedWalletAlgorithms.includes("ML-DSA-65")) afterBoot(() => void loadMlDsaVerifier().catch(() => undefined));
  }

  @get("/jwks", { summary: "Public keys that verify the tokens issued here" })
  async jwks(ctx: RequestContext) {
    ctx.setHeader("Cache-Control", "public, max-age=300");
    return this.keys.jwks();
  }

  @post("/challenge", { summary: "A one-time challenge for a wallet address, and the sign-in message to sign", responses: { 400: "address required, unsupported algorithm or bad move_to", 429: "Too many challenges" } })
  async challenge(ctx: RequestContext) {
    const body = await jsonObject(ctx);
    // Validated before the quota counts it; the quota keeps the store's bound from becoming a way to
    // evict other users' challenges.
    challengeAddress(body.address);
    const wait = this.challengeQuota.hit(this.clients.clientKey(ctx.c));
    if (wait > 0) throw rateLimited(wait, "too many challenges requested; try again later");
    return this.wallets.challenge(body);
  }

  @post("/sign-in", {
    summary: "Exchange a signed challenge for tokens",
    responses: { 400: "Missing fields, bad hex or unsupported algorithm", 401: "Invalid challenge, message, signature or key, or an address the key does not own" },
  })
  async signIn(ctx: RequestContext) {
    const result = await this.wallets.signIn(await jsonObject(ctx));
    noStore(ctx);
    return result;
  }

  @post("/move", {
    summary: "Move a wallet address to a new key, signed by the key that holds it and by the new key",
    responses: { 400: "Missing fields or bad hex", 401: "Invalid challenge or signature, or not the holder", 403: "upstream wallet mode", 409: "Moved meanwhile" },
  })
  async move(ctx: RequestContext) {
    return this.wallets.move(await jsonObject(ctx));
  }

  @post("/login", { summary: "Password login for the bootstrap admin", responses: { 401: "invalid credentials", 403: "password login disabled", 429: "Too many failures" } })
  async adminLogin(ctx: RequestContext) {
    const body = await jsonObject(ctx);
    const { email, password } = body;
    if (!this.settings.autoCreateAdmin) throw forbidden("password login disabled");
    if (typeof email !== "string" || typeof password !== "string" || email === "" || password === "" || email.length > 320 || password.length > 1024) {
      throw unauthorized("invalid credentials");
    }
    await this.login.verify(email, password, this.clients.clientKey(ctx.c));
    // Emails match case-insensitively; the subject is the configured one, however it was typed.
    noStore(ctx);
    return this.sessions.start(this.settings.adminEmail, "admin");
  }
}

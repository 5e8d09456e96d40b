import { RequestContext, controller, get, post } from "pico-hono";
import { inject } from "pico-ioc";
import { ADDRESS_BINDINGS } from "./bindings/address-bindings.js";
import type { AddressBindings } from "./bindings/address-bindings.js";
import { CHALLENGE_STORE } from "./challenge/challenge-store.js";
import type { ChallengeStore } from "./challenge/challenge-store.js";
import { badRequest, forbidden, rateLimited, unauthorized } from "./errors.js";
import { WindowCounter } from "./login/window-counter.js";
import { allowAnonymous, clientOf, jsonObject, noStore } from "./http-input.js";
import { SigningKeys } from "./keys/signing-keys.js";
import { AdminLogin } from "./login/admin-login.js";
import { ServerAuthSettings } from "./settings.js";
import { Sessions } from "./sessions/sessions.js";
import { PUBLIC_KEY_LENGTHS, isWalletAlgorithm } from "./wallet/algorithms.js";
import type { WalletAlgorithm } from "./wallet/algorithms.js";
import { decodeHex } from "./wallet/hex.js";
import { afterBoot } from "./after-boot.js";
import { loadMlDsaVerifier, verifyWalletSignature } from "./wallet/verify-signature.js";

/**
 * Wallet addresses: letters, digits and `. _ : -`, up to 128 characters. Never an `@`, so a wallet
 * subject can never equal an email (the admin's `sub`).
 */
const ADDRESS = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ADDRESS_RULE = "address must be 1-128 letters, digits or . _ : - (starting with a letter or digit)";
const SIGN_IN_FIELDS = ["address", "public_key", "signature", "challenge"] as const;

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
    @inject(CHALLENGE_STORE) private readonly challenges: ChallengeStore,
    @inject(ADDRESS_BINDINGS) private readonly bindings: AddressBindings,
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

  @post("/challenge", { summary: "A one-time challenge for a wallet address", responses: { 400: "address required" } })
  async challenge(ctx: RequestContext) {
    const body = await jsonObject(ctx);
    const address = body.address;
    if (typeof address !== "string" || address === "") throw badRequest("address required");
    if (!ADDRESS.test(address)) throw badRequest(ADDRESS_RULE);
    // A per-client quota: the store's bound must not become a way to evict other users' challenges.
    const wait = this.challengeQuota.hit(clientOf(ctx));
    if (wait > 0) throw rateLimited(wait, "too many challenges requested; try again later");
    return { challenge: await this.challenges.create(address), ttl: this.settings.challengeTtlSeconds };
  }

  @post("/sign-in", {
    summary: "Exchange a signed challenge for tokens",
    responses: { 400: "Missing fields, bad hex or unsupported algorithm", 401: "Invalid challenge, signature or key" },
  })
  async signIn(ctx: RequestContext) {
    const body = await jsonObject(ctx);
    if (SIGN_IN_FIELDS.some((field) => typeof body[field] !== "string" || body[field] === "")) {
      throw badRequest("address, public_key, signature, and challenge required");
    }
    const { address, public_key, signature, challenge } = body as Record<(typeof SIGN_IN_FIELDS)[number], string>;
    const algorithm = body.algorithm ?? "ML-DSA-65";
    if (!isWalletAlgorithm(algorithm) || !this.settings.supportedWalletAlgorithms.includes(algorithm)) {
      throw badRequest(`unsupported wallet algorithm: ${typeof algorithm === "string" ? algorithm.slice(0, 32) : typeof algorithm}; supported: ${this.settings.supportedWalletAlgorithms.join(", ")}`);
    }
    if (!ADDRESS.test(address)) throw badRequest(ADDRESS_RULE);
    const publicKey = decodeHex(public_key);
    const signatureBytes = decodeHex(signature);
    if (!publicKey || !signatureBytes) throw badRequest("invalid hex encoding");
    // Cheap checks first, so a malformed request does not burn the challenge.
    if (!PUBLIC_KEY_LENGTHS[algorithm].includes(publicKey.length) || !signatureLengthFits(algorithm, signatureBytes.length)) {
      throw unauthorized("signature verification failed");
    }
    if (!(await this.challenges.consume(address, challenge))) throw unauthorized("invalid or expired challenge");
    if (algorithm === "ML-DSA-65") await loadMlDsaVerifier();
    if (!verifyWalletSignature(algorithm, publicKey, new TextEncoder().encode(challenge), signatureBytes)) {
      throw unauthorized("signature verification failed");
    }
    const keyHex = Buffer.from(publicKey).toString("hex");
    if (!(await this.bindings.bind(address, { algorithm, publicKey: keyHex }))) throw unauthorized("address is bound to a different key");
    const tokens = await this.sessions.start(address, "wallet", { algorithm, wallet_address: address });
    noStore(ctx);
    return { ...tokens, address, algorithm };
  }

  @post("/login", { summary: "Password login for the bootstrap admin", responses: { 401: "invalid credentials", 403: "password login disabled", 429: "Too many failures" } })
  async adminLogin(ctx: RequestContext) {
    const body = await jsonObject(ctx);
    const { email, password } = body;
    if (!this.settings.autoCreateAdmin) throw forbidden("password login disabled");
    if (typeof email !== "string" || typeof password !== "string" || email === "" || password === "" || email.length > 320 || password.length > 1024) {
      throw unauthorized("invalid credentials");
    }
    await this.login.verify(email, password, clientOf(ctx));
    // Emails match case-insensitively; the subject is the configured one, however it was typed.
    noStore(ctx);
    return this.sessions.start(this.settings.adminEmail, "admin");
  }
}

/** Signature sizes: Ed25519 64; secp256k1 64 (compact) or 8-72 (DER); ML-DSA-65 3309. */
function signatureLengthFits(algorithm: WalletAlgorithm, length: number): boolean {
  if (algorithm === "Ed25519") return length === 64;
  if (algorithm === "ML-DSA-65") return length === 3309;
  return length >= 8 && length <= 72;
}

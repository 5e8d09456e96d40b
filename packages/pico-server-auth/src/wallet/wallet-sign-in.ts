import { createHash } from "node:crypto";
import { component, inject } from "pico-ioc";
import { ADDRESS_BINDINGS } from "../bindings/address-bindings.js";
import type { AddressBindings, SignerKey } from "../bindings/address-bindings.js";
import { CHALLENGE_STORE } from "../challenge/challenge-store.js";
import type { ChallengeStore, PendingChallenge } from "../challenge/challenge-store.js";
import { ServerAuthError, badRequest, forbidden, refused, unauthorized } from "../errors.js";
import { AuthEvents } from "../events/auth-events.js";
import { Sessions } from "../sessions/sessions.js";
import { walletKeyStamp } from "../sessions/wallet-session-stamp.js";
import type { IssuedTokens } from "../sessions/sessions.js";
import { ServerAuthSettings } from "../settings.js";
import { PUBLIC_KEY_LENGTHS } from "./algorithms.js";
import type { WalletAlgorithm } from "./algorithms.js";
import { canonicalKey } from "./canonical-key.js";
import { decodeHex } from "./hex.js";
import { verifyMessageSignature } from "./message-signature.js";
import { messageDifference } from "./sign-in-message.js";
import { SignInSite } from "./sign-in-site.js";
import { asObject } from "../http-input.js";
import { challengeAddress, checkSizes, newKeyFields, signedFields, supportedAlgorithm } from "./wallet-requests.js";
import type { SignedFields } from "./wallet-requests.js";
import { loadMlDsaVerifier, verifyWalletSignature } from "./verify-signature.js";
import { preloadEthereum } from "./ethereum.js";
import { afterBoot } from "../after-boot.js";

export interface ChallengeAnswer {
  readonly challenge: string;
  readonly ttl: number;
  /** The exact text to sign (upstream mode: the challenge itself). */
  readonly message: string;
}

/**
 * The wallet flows behind /challenge, /sign-in and /move, in the configured mode:
 * - secure (default): the wallet signs a message naming this site, its address and an expiry; the
 *   address must derive from the key unless it is bound to that key already (see AddressBindings).
 * - upstream: the wallet signs the bare 64-hex challenge; any address, first key wins. Unsafe.
 */
@component()
export class WalletSignIn {
  readonly #supported: readonly string[];

  constructor(
    private readonly settings: ServerAuthSettings,
    private readonly site: SignInSite,
    private readonly sessions: Sessions,
    @inject(CHALLENGE_STORE) private readonly challenges: ChallengeStore,
    @inject(ADDRESS_BINDINGS) private readonly bindings: AddressBindings,
    private readonly events: AuthEvents,
  ) {
    this.#supported = settings.supportedWalletAlgorithms;
    // Ethereum addresses, EIP-55 and secp256k1 keys need noble: loaded once boot is over, off its path.
    afterBoot(preloadEthereum);
  }

  get secure(): boolean {
    return this.site.mode === "secure";
  }

  /** `{address, algorithm?, move_to?: {algorithm, public_key}}` → a challenge and the message to sign. */
  async challenge(body: Record<string, unknown>): Promise<ChallengeAnswer> {
    const address = challengeAddress(body.address);
    if (!this.secure) {
      if (body.move_to !== undefined) throw badRequest("move_to needs server_auth.wallet_mode secure");
      const { challenge } = await this.challenges.create({ address, compose: (nonce) => nonce });
      return { challenge, ttl: this.settings.challengeTtlSeconds, message: challenge };
    }
    // secp256k1 by default: what an Ethereum wallet, the most common kind, signs with.
    const algorithm = supportedAlgorithm(body.algorithm === undefined ? "secp256k1" : body.algorithm, this.#supported);
    const moveTo = body.move_to === undefined ? undefined : this.#moveTarget(body.move_to);
    const statement = moveTo && `Move this account to the ${moveTo.algorithm} key whose SHA-256 is ${createHash("sha256").update(Buffer.from(moveTo.publicKey, "hex")).digest("hex")}. The current key and the new key both sign this message.`;
    const { challenge, pending } = await this.challenges.create({
      address,
      algorithm,
      moveTo,
      compose: (nonce, issuedAt, expiresAt) => (statement ? this.site.moveMessage(address, algorithm, nonce, issuedAt, expiresAt, statement) : this.site.message(address, algorithm, nonce, issuedAt, expiresAt)),
    });
    return { challenge, ttl: this.settings.challengeTtlSeconds, message: pending.message };
  }

  /**
   * A signed challenge → tokens for the address (`sub`: see AddressBindings.claim in secure mode).
   * Reported to AuthEvents: counted by algorithm, or refused with its reason (`client`: the caller's
   * client key, for that report).
   */
  async signIn(body: Record<string, unknown>, client = "in-process"): Promise<IssuedTokens & { address: string; algorithm: WalletAlgorithm }> {
    const seen: { algorithm?: string; address?: string } = {};
    try {
      const result = await this.#signIn(body, seen);
      this.events.signedIn(result.algorithm);
      return result;
    } catch (error) {
      this.events.signInFailed(error, { route: "/api/v1/auth/sign-in", client, method: seen.algorithm, address: seen.address });
      throw error;
    }
  }

  /** signIn, noting in `seen` the algorithm once known and the address once a challenge was found for it. */
  async #signIn(body: Record<string, unknown>, seen: { algorithm?: string; address?: string }): Promise<IssuedTokens & { address: string; algorithm: WalletAlgorithm }> {
    const fields = signedFields(body, this.#supported, { keyOptional: this.secure, defaultAlgorithm: this.secure ? undefined : "ML-DSA-65" });
    seen.algorithm = fields.algorithm;
    const pending = await this.#consume(fields, (issued) => {
      seen.address = issued.address;
      seen.algorithm = issued.algorithm ?? fields.algorithm;
      if (issued.moveTo) throw refused("invalid_challenge", "this challenge is for a move: send it to POST /api/v1/auth/move");
      this.#checkSigned(fields, issued);
    });
    let sub = fields.address;
    let signer: SignerKey;
    if (this.secure) {
      signer = await this.#verifySigner(fields, pending);
      const claim = await this.bindings.claim(fields.address, signer);
      if (!claim.ok) throw refused("not_holder", claim.detail);
      ({ sub } = claim);
    } else {
      const algorithm = fields.algorithm as WalletAlgorithm;
      const publicKey = fields.publicKey as Uint8Array;
      if (algorithm === "ML-DSA-65") await loadMlDsaVerifier();
      if (!verifyWalletSignature(algorithm, publicKey, new TextEncoder().encode(pending.message), fields.signature)) throw refused("bad_signature", "signature verification failed");
      signer = { algorithm, publicKey: Buffer.from(publicKey).toString("hex") };
      if (!(await this.bindings.bind(sub, signer))) throw refused("not_holder", "address is bound to a different key");
    }
    const { algorithm } = signer;
    // The session follows the key that signed: it ends once the address is bound to another key or none.
    const tokens = await this.sessions.start(sub, "wallet", { algorithm, wallet_address: sub }, walletKeyStamp(signer));
    return { ...tokens, address: sub, algorithm };
  }

  /**
   * Moves an address to a new key: both the key that holds it and the new key sign the move message
   * of a challenge asked for with `move_to`. Every session of the address ends. Returns the address
   * as bound, the new algorithm and how many sessions ended.
   */
  async move(body: Record<string, unknown>): Promise<{ address: string; algorithm: WalletAlgorithm; revoked_sessions: number | null }> {
    if (!this.secure) throw forbidden("moves need server_auth.wallet_mode secure");
    const fields = signedFields(body, this.#supported, { keyOptional: true });
    const next = newKeyFields(body, this.#supported);
    const pending = await this.#consume(fields, (issued) => {
      const to = issued.moveTo as SignerKey | undefined;
      if (!to) throw refused("invalid_challenge", "this challenge is not for a move: ask for one with move_to");
      this.#checkSigned(fields, issued);
      if (next.algorithm !== undefined && next.algorithm !== to.algorithm) throw unauthorized(`new_algorithm ${next.algorithm} is not the one the move message names (${to.algorithm})`);
      if (next.publicKey !== undefined && hexOf(canonicalKey(to.algorithm, next.publicKey)) !== to.publicKey) throw unauthorized("new_public_key is not the key the move message names");
      checkSizes(to.algorithm, undefined, next.signature);
    });
    const to = pending.moveTo as SignerKey;
    const current = await this.#verifySigner(fields, pending);
    if (to.algorithm === "ML-DSA-65") await loadMlDsaVerifier();
    if (!verifyMessageSignature(to.algorithm, pending.message, next.signature, Buffer.from(to.publicKey, "hex"))) throw unauthorized("new_signature verification failed");
    if (current.algorithm === to.algorithm && current.publicKey === to.publicKey) throw badRequest("the new key is the key that holds the address already");
    const { outcome, address } = await this.bindings.move(fields.address, current, to);
    if (outcome === "unbound") throw unauthorized(`address ${fields.address} is not bound to any key: sign in with it first`);
    if (outcome === "not-holder") throw unauthorized("address is bound to a different key");
    if (outcome === "conflict") throw new ServerAuthError("CONFLICT", 409, "the address was moved or unbound meanwhile; ask for a new challenge");
    // A key is moved away from because it may be lost or stolen: the sessions it started end too
    // (their refresh tokens are refused, their access tokens listed as revoked), but not those the
    // new key started meanwhile. The move is committed: ending them is retried, never a 5xx.
    const revoked = await this.sessions.revokeSubjectEventually(address, walletKeyStamp(to), "address_moved");
    return { address, algorithm: to.algorithm, revoked_sessions: revoked ?? null };
  }

  /**
   * The challenge of `fields`, consumed; 401 when it is unknown, expired or for another address.
   * `check` runs first: a request it refuses leaves the challenge usable (only a signature that fails
   * to verify, checked after, burns it). Run again after, for a store that ignores it.
   */
  async #consume(fields: SignedFields, check: (pending: PendingChallenge) => void): Promise<PendingChallenge> {
    const pending = await this.challenges.consume(fields.address, fields.challenge, check);
    if (!pending) throw refused("invalid_challenge", "invalid or expired challenge");
    check(pending);
    return pending;
  }

  /**
   * Secure mode, what needs no signature verification: the algorithm is the challenge's, the key and
   * signature sizes fit it, a public key is there when the algorithm needs one, and the message sent
   * (if any) is the one issued.
   */
  #checkSigned(fields: SignedFields, pending: PendingChallenge): void {
    if (!this.secure) return;
    const algorithm = pending.algorithm as WalletAlgorithm;
    if (fields.algorithm !== undefined && fields.algorithm !== algorithm) throw refused("invalid_challenge", `the challenge was issued for ${algorithm}, not ${fields.algorithm}`);
    if (fields.message !== undefined) {
      const differs = messageDifference(fields.message, pending.message);
      if (differs) throw refused("message_mismatch", `the message differs from the one issued for this challenge: its ${differs} is not the one issued`);
    }
    if (fields.algorithm === undefined) checkSizes(algorithm, fields.publicKey, fields.signature);
    if (algorithm !== "secp256k1" && !fields.publicKey) throw badRequest(`public_key required for ${algorithm}`);
  }

  /** Secure mode: the signature over the issued message verifies (after #checkSigned); returns the signer. */
  async #verifySigner(fields: SignedFields, pending: PendingChallenge): Promise<SignerKey> {
    const algorithm = pending.algorithm as WalletAlgorithm;
    if (algorithm === "ML-DSA-65") await loadMlDsaVerifier();
    const key = verifyMessageSignature(algorithm, pending.message, fields.signature, fields.publicKey);
    if (!key) throw refused("bad_signature", "signature verification failed");
    return { algorithm, publicKey: Buffer.from(key).toString("hex") };
  }

  /** A `move_to` object → the new key, canonical; 400 for anything else. */
  #moveTarget(value: unknown): SignerKey {
    const moveTo = asObjectOr(value, "move_to must be an object: {algorithm, public_key}");
    const algorithm = supportedAlgorithm(moveTo.algorithm, this.#supported);
    const raw = typeof moveTo.public_key === "string" ? decodeHex(moveTo.public_key) : undefined;
    const key = raw && PUBLIC_KEY_LENGTHS[algorithm].includes(raw.length) ? canonicalKey(algorithm, raw) : undefined;
    if (!key) throw badRequest(`move_to.public_key must be a hex ${algorithm} public key (${PUBLIC_KEY_LENGTHS[algorithm].join(" or ")} bytes)`);
    return { algorithm, publicKey: Buffer.from(key).toString("hex") };
  }
}

function asObjectOr(value: unknown, detail: string): Record<string, unknown> {
  try {
    return asObject(value);
  } catch {
    throw badRequest(detail);
  }
}

function hexOf(bytes: Uint8Array | undefined): string | undefined {
  return bytes && Buffer.from(bytes).toString("hex");
}

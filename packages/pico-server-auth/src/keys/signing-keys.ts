import type { JWK, JWTPayload } from "jose";
import { component, inject } from "pico-ioc";
import type { OnInit } from "pico-ioc";
import { LOCAL_JWKS } from "pico-client-auth/contract";
import type { LocalJwks } from "pico-client-auth/contract";
import { ServerAuthError } from "../errors.js";
import { AuthEvents } from "../events/auth-events.js";
import { ServerAuthSettings } from "../settings.js";
import { SIGNING_KEY_STORE } from "./signing-key-store.js";
import type { SigningKeyStore, StoredSigningKey } from "./signing-key-store.js";
import { generateMaterial, loadKey } from "./key-material.js";
import type { LoadedKey } from "./key-material.js";
import { KEY_ENCRYPTION } from "./key-encryption.js";
import type { KeyEncryption } from "./key-encryption.js";
import { openSigningKey } from "./open-signing-key.js";
import { parseCompactJws } from "./compact-jws.js";
import type { CompactJws } from "./compact-jws.js";

export const JWKS_PATH = "/api/v1/auth/jwks";

/** Tokens may arrive a little after their key's window by clock skew: publish and keep a minute longer. */
const MARGIN_SECONDS = 60;

interface Kept {
  readonly stored: StoredSigningKey;
  readonly key: LoadedKey;
}

/**
 * The token signing keys, kept in the store so tokens survive restarts. The newest key signs; a
 * rotation (every `key_rotation_days`, on `rotate()`, or when `algorithm` changes) adds a new key
 * under a new kid and retires the old one, which the JWKS keeps publishing until every access token it
 * signed has expired, and which stays in the store until its refresh tokens have expired too.
 */
@component({ provides: LOCAL_JWKS })
export class SigningKeys implements LocalJwks, OnInit {
  readonly issuer: string;
  readonly jwksPath = JWKS_PATH;
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly #settings: ServerAuthSettings;
  readonly #store: SigningKeyStore;
  readonly #events: AuthEvents;
  readonly #encryption: KeyEncryption;
  #kept: Kept[] = [];
  #jwks: { readonly keys: readonly JWK[] } = Object.freeze({ keys: Object.freeze([]) });
  /** When the next rotation or expiry is due: until then, signing and publishing are lookups. */
  #nextChange = 0;
  #changing: Promise<void> | undefined;

  constructor(settings: ServerAuthSettings, @inject(SIGNING_KEY_STORE) store: SigningKeyStore, events: AuthEvents, @inject(KEY_ENCRYPTION) encryption: KeyEncryption) {
    this.#encryption = encryption;
    this.#settings = settings;
    this.#store = store;
    this.#events = events;
    this.issuer = settings.issuer;
  }

  async onInit(): Promise<void> {
    this.#kept = await Promise.all((await this.#store.signingKeys()).map(async (stored) => ({ stored, key: await openSigningKey(this.#encryption, stored) })));
    const active = this.#active();
    const wanted = this.#settings.algorithm;
    if (!active) await this.rotate(wanted, `first ${wanted} signing key`);
    else if (active.stored.alg !== wanted) await this.rotate(wanted, `server_auth.algorithm changed from ${active.stored.alg} to ${wanted}`);
    await this.#maintain();
  }

  /**
   * The published public keys: the same object while they are unchanged (clients compare it). No
   * promise until a rotation or an expiry is due: pico-client-auth asks on every request.
   */
  jwks(): { readonly keys: readonly JWK[] } | Promise<{ readonly keys: readonly JWK[] }> {
    if (this.now() < this.#nextChange) return this.#jwks;
    return this.#maintain().then(() => this.#jwks);
  }

  /** Signs with the active key; `typ` is the protected header's (`at+jwt` for RFC 9068 access tokens). */
  async sign(payload: JWTPayload, typ = "JWT"): Promise<string> {
    await this.#maintain();
    const active = this.#active();
    if (!active) throw new Error("SigningKeys used before onInit");
    return active.key.sign(payload, typ);
  }

  /** The kid that signs now. */
  get activeKid(): string | undefined {
    return this.#active()?.stored.kid;
  }

  /**
   * A new key signs from now on (default: the configured algorithm); the previous one is retired.
   * Concurrent calls share one rotation.
   */
  rotate(algorithm: string = this.#settings.algorithm, reason = "rotation requested"): Promise<void> {
    this.#changing ??= this.#rotate(algorithm, reason).finally(() => (this.#changing = undefined));
    return this.#changing;
  }

  /**
   * Drops a retired key at once, for a key that leaked: every token it signed fails from now on, here
   * and in pico-client-auth in this process at once, elsewhere at the validator's next JWKS fetch.
   * The signing key cannot be withdrawn: rotate() first.
   */
  async withdraw(kid: string): Promise<void> {
    const kept = this.#kept.find((k) => k.stored.kid === kid);
    if (!kept) throw new ServerAuthError("KEY_UNKNOWN", 404, `no signing key ${kid} is kept`);
    if (kept.stored.retiredAt === undefined) throw new ServerAuthError("KEY_ACTIVE", 409, `${kid} is the key that signs now: rotate() first, then withdraw it`);
    await this.#store.deleteSigningKey(kid);
    this.#kept = this.#kept.filter((k) => k !== kept);
    this.#events.keyWithdrawn(kid);
    await this.#expire(this.now());
  }

  /** A token signed by one of our kept keys, with the algorithm that key declares: its header and payload; else undefined. */
  verified(token: string): Pick<CompactJws, "header" | "payload"> | undefined {
    const jws = parseCompactJws(token);
    const kept = jws && this.#kept.find((k) => k.stored.kid === jws.header.kid);
    if (!jws || !kept || jws.header.alg !== kept.stored.alg) return undefined;
    return kept.key.verify(jws.signingInput, jws.signature) ? jws : undefined;
  }

  async #rotate(algorithm: string, reason: string): Promise<void> {
    const createdAt = this.now();
    const material = await generateMaterial(algorithm);
    const key = await loadKey(algorithm, material);
    const stored: StoredSigningKey = { kid: key.kid, alg: algorithm, material: await this.#encryption.seal(material), createdAt };
    await this.#store.addSigningKey(stored, this.#active()?.stored.kid);
    const previous = this.#active()?.stored.kid;
    this.#kept = [...this.#kept.map((k) => (k.stored.retiredAt === undefined ? { ...k, stored: { ...k.stored, retiredAt: createdAt } } : k)), { stored, key }];
    this.#events.keyAdded(key.kid, algorithm, previous, reason);
    await this.#expire(createdAt);
  }

  /** Rotates when due, then drops what expired; between due times, a single comparison. */
  async #maintain(): Promise<void> {
    const now = this.now();
    if (now < this.#nextChange) return;
    const active = this.#active();
    const rotationSeconds = this.#settings.keyRotationDays * 86_400;
    if (active && rotationSeconds > 0 && now >= active.stored.createdAt + rotationSeconds) {
      await this.rotate(this.#settings.algorithm, `older than server_auth.key_rotation_days = ${this.#settings.keyRotationDays}`);
    } else {
      await this.#expire(now);
    }
  }

  /** Deletes keys whose tokens have all expired, recomputes the published set and the next due time. */
  async #expire(now: number): Promise<void> {
    const publishFor = this.#settings.accessTokenExpireMinutes * 60 + MARGIN_SECONDS;
    const keepFor = Math.max(this.#settings.refreshTokenExpireDays * 86_400, publishFor) + MARGIN_SECONDS;
    const expired = this.#kept.filter((k) => k.stored.retiredAt !== undefined && now >= k.stored.retiredAt + keepFor);
    for (const { stored } of expired) await this.#store.deleteSigningKey(stored.kid);
    this.#kept = this.#kept.filter((k) => !expired.includes(k));
    // Newest first: a client that tries keys in order finds the signing key at once.
    const published = this.#kept.filter((k) => k.stored.retiredAt === undefined || now < k.stored.retiredAt + publishFor).map((k) => k.key.publicJwk).reverse();
    if (published.length !== this.#jwks.keys.length || published.some((jwk, i) => jwk !== this.#jwks.keys[i])) {
      this.#jwks = Object.freeze({ keys: Object.freeze(published) });
    }
    const active = this.#active();
    const rotationSeconds = this.#settings.keyRotationDays * 86_400;
    const due = this.#kept.flatMap((k) => (k.stored.retiredAt === undefined ? [] : [k.stored.retiredAt + publishFor, k.stored.retiredAt + keepFor]));
    if (active && rotationSeconds > 0) due.push(active.stored.createdAt + rotationSeconds);
    this.#nextChange = Math.min(Infinity, ...due.filter((t) => t > now));
  }

  #active(): Kept | undefined {
    return this.#kept.findLast((k) => k.stored.retiredAt === undefined);
  }
}

import type { JWTPayload } from "jose";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { LOCAL_JWKS } from "pico-client-auth/contract";
import type { LocalJwks } from "pico-client-auth/contract";
import { ServerAuthError } from "../errors.js";
import { AuthEvents } from "../events/auth-events.js";
import { ServerAuthSettings } from "../settings.js";
import { CHANGE_SIGNAL } from "../sync/change-signal.js";
import type { ChangeSignal } from "../sync/change-signal.js";
import { StoreFollower } from "../sync/store-follower.js";
import { generateMaterial, loadKey } from "./key-material.js";
import type { LoadedKey } from "./key-material.js";
import { KEY_ENCRYPTION } from "./key-encryption.js";
import type { KeyEncryption } from "./key-encryption.js";
import { openSigningKey } from "./open-signing-key.js";
import { parseCompactJws } from "./compact-jws.js";
import type { CompactJws } from "./compact-jws.js";
import { SIGNING_KEY_STORE } from "./signing-key-store.js";
import { JWKS_ALL_PATH, JWKS_PATH } from "../endpoints.js";
import type { SigningKeyStore, StoredSigningKey } from "./signing-key-store.js";
import { publishedKeysOf } from "./published-keys.js";
import type { Jwks, PublishedKeys } from "./published-keys.js";

/** Tokens may arrive a little after their key's window by clock skew: publish and keep a minute longer. */
const MARGIN_SECONDS = 60;

/**
 * A token with an unknown kid rereads the store at most this often: the kid may be made up, and a
 * read per request would let anyone load the store. A refresh asked sooner waits for the next read.
 */
export const REFRESH_COOLDOWN_MS = 1000;

interface Kept {
  readonly stored: StoredSigningKey;
  readonly key: LoadedKey;
}

/**
 * The token signing keys, kept in the shared store so tokens survive restarts and every instance
 * signs and publishes the same keys. The newest key signs; a rotation (every `key_rotation_days`, on
 * `rotate()`, or when `algorithm` changes) adds a new key under a new kid and retires the old one,
 * which the JWKS keeps publishing until every access token it signed has expired, and which stays in
 * the store until its refresh tokens have expired too.
 *
 * Several instances: a rotation is a compare-and-set on the signing kid, so when several instances
 * rotate at once (at boot on an empty store, or when a rotation falls due, at the same time for all)
 * one wins and the others adopt its key. Each instance rereads the store when another signals a
 * change, every `sync_interval_ms`, and when a token names a kid it does not know.
 */
@component({ provides: LOCAL_JWKS })
export class SigningKeys implements LocalJwks, OnInit, OnDestroy {
  readonly issuer: string;
  readonly jwksPath = JWKS_PATH;
  /**
   * JWKS_ALL_PATH serves what jwks() answers (every key) whatever `ml_dsa_jwks` says, so a
   * pico-client-auth in this process whose jwks_url names it stays in-process. JWKS_PATH is listed as
   * jwksPath although, with `ml_dsa_jwks: separate`, it serves the classical keys only: in-process,
   * every published key verifies (this package's own verifier knows AKP), which is a superset.
   */
  readonly jwksPaths: readonly string[] = Object.freeze([JWKS_ALL_PATH]);
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly #settings: ServerAuthSettings;
  readonly #store: SigningKeyStore;
  readonly #events: AuthEvents;
  readonly #logger: Logger;
  readonly #follower: StoreFollower;
  #kept: Kept[] = [];
  /** The published sets, recomputed (frozen) only when the keys change: serving one allocates nothing. */
  #published: PublishedKeys = publishedKeysOf([], undefined);
  /** When the next rotation or expiry is due: until then, signing and publishing are lookups. */
  #nextChange = 0;
  #changing: Promise<void> | undefined;
  readonly #encryption: KeyEncryption;
  /** Changes and rereads, one at a time: a reread that read before a rotation here must not undo it. */
  #queue: Promise<unknown> = Promise.resolve();
  /** When (ms) the last read of the store started, for REFRESH_COOLDOWN_MS. */
  #readAt = Number.NEGATIVE_INFINITY;
  /** The refresh waiting for the cooldown to end, shared by the unknown kids that asked meanwhile. */
  #deferred: Promise<void> | undefined;

  constructor(
    settings: ServerAuthSettings,
    @inject(SIGNING_KEY_STORE) store: SigningKeyStore,
    @inject(CHANGE_SIGNAL) signal: ChangeSignal,
    events: AuthEvents,
    @inject(LOGGER) logger: Logger,
    @inject(KEY_ENCRYPTION) encryption: KeyEncryption,
  ) {
    this.#encryption = encryption;
    this.#settings = settings;
    this.#store = store;
    this.#events = events;
    this.#logger = logger;
    this.issuer = settings.issuer;
    this.#follower = new StoreFollower({
      topic: "signing-keys",
      signal,
      intervalMs: settings.syncIntervalMs,
      logger,
      what: "signing keys",
      read: () => this.#exclusive(() => this.#load()),
    });
  }

  async onInit(): Promise<void> {
    await this.#exclusive(async () => {
      await this.#load();
      const active = this.#active();
      const wanted = this.#settings.algorithm;
      if (!active) await this.#rotate(wanted, `first ${wanted} signing key`);
      else if (active.stored.alg !== wanted) await this.#rotate(wanted, `server_auth.algorithm changed from ${active.stored.alg} to ${wanted}`);
    });
    await this.#maintain();
    this.#follower.start();
  }

  onDestroy(): void {
    this.#follower.stop();
  }

  /**
   * The published public keys: the same object while they are unchanged (clients compare it). No
   * promise until a rotation or an expiry is due: pico-client-auth asks on every request.
   * `refresh: true` (a token whose kid is unknown) rereads the store first, at most once per
   * REFRESH_COOLDOWN_MS; a failed reread answers the keys in memory.
   */
  jwks(options?: { readonly refresh?: boolean }): Jwks | Promise<Jwks> {
    if (options?.refresh) return this.#refresh().then(() => this.jwks());
    const published = this.published();
    return published instanceof Promise ? published.then((p) => p.all) : published.all;
  }

  /**
   * The published keys, split by family for `ml_dsa_jwks` (every key; classical only; ML-DSA only),
   * with their algorithms and whether an ML-DSA key signs now. The same object while the keys are
   * unchanged; no promise until a rotation or an expiry is due.
   */
  published(): PublishedKeys | Promise<PublishedKeys> {
    if (this.now() < this.#nextChange) return this.#published;
    return this.#maintain().then(() => this.#published);
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
   * Concurrent calls share one rotation; when another instance changed the signing key first, its
   * key is adopted instead.
   */
  rotate(algorithm: string = this.#settings.algorithm, reason = "rotation requested"): Promise<void> {
    this.#changing ??= this.#exclusive(() => this.#rotate(algorithm, reason)).finally(() => (this.#changing = undefined));
    return this.#changing;
  }

  /**
   * Drops a retired key at once, for a key that leaked: every token it signed fails from now on, here
   * and in pico-client-auth in this process at once, on other instances when they reread the store
   * (at once with a change signal, else within `sync_interval_ms`), elsewhere at the validator's
   * next JWKS fetch. The signing key cannot be withdrawn: rotate() first.
   */
  withdraw(kid: string): Promise<void> {
    return this.#exclusive(async () => {
      const kept = this.#kept.find((k) => k.stored.kid === kid);
      if (!kept) throw new ServerAuthError("KEY_UNKNOWN", 404, `no signing key ${kid} is kept`);
      if (kept.stored.retiredAt === undefined) throw new ServerAuthError("KEY_ACTIVE", 409, `${kid} is the key that signs now: rotate() first, then withdraw it`);
      await this.#store.deleteSigningKey(kid);
      this.#kept = this.#kept.filter((k) => k !== kept);
      this.#events.keyWithdrawn(kid);
      await this.#follower.publish();
      await this.#expire(this.now());
    });
  }

  /** A token signed by one of our kept keys, with the algorithm that key declares: its header and payload; else undefined. */
  verified(token: string): Pick<CompactJws, "header" | "payload"> | undefined {
    const jws = parseCompactJws(token);
    const kept = jws && this.#kept.find((k) => k.stored.kid === jws.header.kid);
    if (!jws || !kept || jws.header.alg !== kept.stored.alg) return undefined;
    return kept.key.verify(jws.signingInput, jws.signature) ? jws : undefined;
  }

  /** Runs `change` after every change and reread before it, and before any after it. */
  #exclusive<T>(change: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(change);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * A reread for a token whose kid is unknown: now, or within the cooldown since the last read, the
   * next read (a poll, a signal's) or the one at the cooldown's end, whichever is over first.
   */
  #refresh(): Promise<void> {
    const quietly = () => this.#follower.reread().catch(() => {});
    if (this.#follower.pending) return quietly();
    const wait = this.#readAt + REFRESH_COOLDOWN_MS - Date.now();
    if (wait <= 0) return quietly();
    this.#deferred ??= new Promise<void>((resolve) => setTimeout(resolve, wait).unref()).then(() => {
      this.#deferred = undefined;
      return quietly();
    });
    return Promise.race([this.#deferred, this.#follower.nextRead()]);
  }

  /**
   * Adopts what the store holds (queued): keys new here are loaded, keys gone (withdrawn, expired
   * elsewhere) dropped. Keys already loaded are not loaded again, and an unchanged list changes nothing.
   */
  async #load(): Promise<void> {
    this.#readAt = Date.now();
    const stored = await this.#store.signingKeys();
    if (stored.length === this.#kept.length && stored.every((s, i) => s.kid === this.#kept[i]?.stored.kid && s.retiredAt === this.#kept[i]?.stored.retiredAt)) return;
    const loaded = new Map(this.#kept.map((k) => [k.stored.kid, k.key]));
    this.#kept = await Promise.all(stored.map(async (s) => ({ stored: s, key: loaded.get(s.kid) ?? (await openSigningKey(this.#encryption, s)) })));
    this.#recompute(this.now());
  }

  /** Queued: adds a new signing key unless another instance changed the signing key first (then adopts that one). */
  async #rotate(algorithm: string, reason: string): Promise<void> {
    const createdAt = this.now();
    const material = await generateMaterial(algorithm);
    const key = await loadKey(algorithm, material);
    const stored: StoredSigningKey = { kid: key.kid, alg: algorithm, material: await this.#encryption.seal(material), createdAt };
    const previous = this.#active()?.stored.kid;
    if (!(await this.#store.addSigningKey(stored, previous))) {
      // Not an event: the key that won was announced by the instance that added it.
      this.#logger.debug(`pico-server-auth: another instance changed the signing key first; adopting it (${reason})`, { kid: key.kid, expected_kid: previous });
      await this.#load();
      return;
    }
    this.#kept = [...this.#kept.map((k) => (k.stored.retiredAt === undefined ? { ...k, stored: { ...k.stored, retiredAt: createdAt } } : k)), { stored, key }];
    this.#events.keyAdded(key.kid, algorithm, previous, reason);
    await this.#follower.publish();
    await this.#expire(createdAt);
  }

  /** Rotates when due, then drops what expired; between due times, a single comparison. */
  #maintain(): Promise<void> {
    if (this.now() < this.#nextChange) return Promise.resolve();
    return this.#exclusive(async () => {
      const now = this.now();
      // Concurrent callers queue here: the first one rotates, the others find it done.
      if (now < this.#nextChange) return;
      const active = this.#active();
      const rotationSeconds = this.#settings.keyRotationDays * 86_400;
      if (active && rotationSeconds > 0 && now >= active.stored.createdAt + rotationSeconds) {
        await this.#rotate(this.#settings.algorithm, `older than server_auth.key_rotation_days = ${this.#settings.keyRotationDays}`);
      } else {
        await this.#expire(now);
      }
    });
  }

  /** Queued: deletes keys whose tokens have all expired (every instance does; deleting twice is no error), then recomputes. */
  async #expire(now: number): Promise<void> {
    const { keepFor } = this.#windows();
    const expired = this.#kept.filter((k) => k.stored.retiredAt !== undefined && now >= k.stored.retiredAt + keepFor);
    for (const { stored } of expired) await this.#store.deleteSigningKey(stored.kid);
    this.#kept = this.#kept.filter((k) => !expired.includes(k));
    this.#recompute(now);
  }

  /** The published sets (new objects only when they changed) and the next due time. */
  #recompute(now: number): void {
    const { publishFor, keepFor } = this.#windows();
    // Newest first: a client that tries keys in order finds the signing key at once.
    const published = this.#kept.filter((k) => k.stored.retiredAt === undefined || now < k.stored.retiredAt + publishFor).map((k) => k.key.publicJwk).reverse();
    const active = this.#active();
    const current = this.#published.all.keys;
    if (published.length !== current.length || published.some((jwk, i) => jwk !== current[i]) || active?.key.publicJwk !== this.#published.signing) {
      this.#published = publishedKeysOf(published, active?.key.publicJwk);
    }
    const rotationSeconds = this.#settings.keyRotationDays * 86_400;
    const due: number[] = [];
    for (const { stored } of this.#kept) {
      if (stored.retiredAt === undefined) continue;
      if (now < stored.retiredAt + publishFor) due.push(stored.retiredAt + publishFor);
      // Still due once past: a key read from the store may be past its time already, the next call deletes it.
      due.push(stored.retiredAt + keepFor);
    }
    if (active && rotationSeconds > 0) due.push(active.stored.createdAt + rotationSeconds);
    this.#nextChange = Math.min(Infinity, ...due);
  }

  #windows(): { publishFor: number; keepFor: number } {
    const publishFor = this.#settings.accessTokenExpireMinutes * 60 + MARGIN_SECONDS;
    return { publishFor, keepFor: Math.max(this.#settings.refreshTokenExpireDays * 86_400, publishFor) + MARGIN_SECONDS };
  }

  #active(): Kept | undefined {
    return this.#kept.findLast((k) => k.stored.retiredAt === undefined);
  }
}

import type { Logger } from "pico-ioc";
import { afterBoot } from "../after-boot.js";
import { parseArgon2idPhc } from "../config/phc.js";
import { StoreUnavailableError } from "../errors.js";
import type { ServerAuthSettings } from "../settings.js";
import type { AdminCredentialStore } from "./admin-credential-store.js";

/** What the store holds while admin login is off: not a hash, so no password matches it and switching back on starts a new generation. */
const DISABLED = "disabled";

/**
 * The bootstrap admin's argon2id hash and its generation in the store. A plaintext password is hashed
 * off the boot path (once boot is over, or at the first login if sooner); the stored hash is reused
 * when the password still matches it with the same parameters, so a restart keeps the generation,
 * and admin sessions live on. A new password or hash is a new generation. Failures are not cached:
 * the next caller tries again (a store that was briefly unavailable does not disable admin login).
 */
export class AdminHash {
  readonly #settings: ServerAuthSettings;
  readonly #store: AdminCredentialStore;
  readonly #logger: Logger;
  #hash: Promise<string> | undefined;
  #generation: Promise<number> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(settings: ServerAuthSettings, store: AdminCredentialStore, logger: Logger) {
    this.#settings = settings;
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * Admin login on: makes the hash and saves it once boot is over. Off: records that at once (a
   * store read, and a write the first time), so sessions from before can never be renewed, even once
   * it is back on with the same password.
   */
  async start(): Promise<void> {
    if (!this.#settings.autoCreateAdmin) return this.#recordDisabled();
    this.#timer = afterBoot(() => void this.generation().catch(() => undefined));
  }

  /** The admin's hash; started on first call. */
  hash(): Promise<string> {
    return (this.#hash ??= this.#retryable(this.#make(), "hashing the admin password", () => (this.#hash = undefined)));
  }

  /** The hash's generation in the store, saved on first call. */
  generation(): Promise<number> {
    this.#generation ??= this.#retryable(
      this.hash().then((hash) => this.#store.saveAdminCredential(hash)),
      "saving the admin credential",
      () => (this.#generation = undefined),
    );
    return this.#generation;
  }

  /**
   * The generation in the store now, once ours is saved: another instance (or worker) that hashed
   * the same password at the same time saved its own hash after ours, a generation on, and every
   * instance must stamp sessions with that one.
   */
  async storedGeneration(): Promise<number> {
    const saved = await this.generation();
    return (await this.#store.adminCredential())?.generation ?? saved;
  }

  /** Waits for work in flight: argon2 on a native thread, or a store write, must not outlive the app. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#stopped = true;
    await Promise.all([this.#hash?.catch(() => undefined), this.#generation?.catch(() => undefined)]);
  }

  async #make(): Promise<string> {
    const s = this.#settings;
    if (s.adminPasswordHash) return s.adminPasswordHash;
    if (this.#stopped) throw new Error("the app is stopping");
    const password = s.adminPassword as string;
    const options = { memoryCost: s.argon2MemoryKib, timeCost: s.argon2TimeCost, parallelism: 1 };
    const a = await argon2();
    const stored = (await this.#store.adminCredential())?.hash;
    const phc = stored === undefined ? undefined : parseArgon2idPhc(stored);
    const sameParameters = typeof phc === "object" && phc.memoryKib === options.memoryCost && phc.timeCost === options.timeCost && phc.parallelism === 1;
    if (sameParameters && (await a.verify(stored as string, password).catch(() => false))) return stored as string;
    return a.hash(password, { type: a.argon2id, ...options });
  }

  async #recordDisabled(): Promise<void> {
    const stored = await this.#store.adminCredential();
    if (stored && stored.hash !== DISABLED) await this.#store.saveAdminCredential(DISABLED);
  }

  /**
   * `promise`; when it fails, `forget` lets the next call start again, and the failure is logged
   * once, unless the store failed: the store logs its outages itself (instrumentPort), once
   * when they start, not again here for each attempt.
   */
  #retryable<T>(promise: Promise<T>, what: string, forget: () => void): Promise<T> {
    promise.catch((error: unknown) => {
      forget();
      if (error instanceof StoreUnavailableError) return;
      this.#logger.error(`pico-server-auth: ${what} failed (tried again when next needed)`, { err: error });
    });
    return promise;
  }
}

/** argon2's native addon, loaded on first use rather than at import. */
export function argon2(): Promise<typeof import("argon2")> {
  return import("argon2").then((module) => module.default ?? module);
}

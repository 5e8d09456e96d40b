import { createHash, timingSafeEqual } from "node:crypto";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { forbidden, unauthorized } from "../errors.js";
import { ServerAuthSettings } from "../settings.js";
import { afterBoot } from "../after-boot.js";
import { LoginThrottle } from "./login-throttle.js";
import { VerificationQueue } from "./verification-queue.js";

/**
 * Password login for the bootstrap admin. The password is hashed with argon2id soon after boot (or given
 * as a PHC hash, checked at boot by ServerAuthSettingsCheck); verification always runs argon2, so an
 * unknown email costs what a wrong password costs. LoginThrottle decides who may try and how fast;
 * VerificationQueue runs the checks a few at a time.
 */
@component()
export class AdminLogin implements OnInit, OnDestroy {
  readonly #settings: ServerAuthSettings;
  readonly #logger: Logger;
  readonly #throttle: LoginThrottle;
  readonly #queue = new VerificationQueue();
  readonly #adminEmail: Buffer;
  /** The admin's argon2 hash, once asked for; hashing a plaintext password runs in the background, off the boot path. */
  #hash: Promise<string> | undefined;
  #makeHash: (() => Promise<string>) | undefined;
  #hashTimer: NodeJS.Timeout | undefined;

  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.#throttle = new LoginThrottle(settings.loginMaxFailures, settings.loginWindowSeconds);
    this.#adminEmail = digest(settings.adminEmail.toLowerCase());
  }

  async onInit(): Promise<void> {
    const s = this.#settings;
    if (!s.autoCreateAdmin) return;
    if (s.adminPasswordHash) {
      this.#hash = Promise.resolve(s.adminPasswordHash);
      return;
    }
    const password = s.adminPassword as string;
    const options = { memoryCost: s.argon2MemoryKib, timeCost: s.argon2TimeCost, parallelism: 1 };
    this.#makeHash = () => argon2().then((a) => a.hash(password, { type: a.argon2id, ...options }));
    // Hashed once boot is over, or at the first login attempt if that comes sooner.
    this.#hashTimer = afterBoot(() => this.#adminHash());
  }

  /** The admin's hash, started on first call. */
  #adminHash(): Promise<string> | undefined {
    clearTimeout(this.#hashTimer);
    if (!this.#hash && this.#makeHash) {
      this.#hash = this.#makeHash();
      // A failure shows at the first login (as invalid credentials) and here, once.
      this.#hash.catch((error: unknown) => this.#logger.error("pico-server-auth: hashing the admin password failed", error));
    }
    return this.#hash;
  }

  /**
   * Stopping waits for a hash still being made: argon2 works on a native thread, and a process that
   * exits under it can crash (seen as hung test runs when a test worker died that way).
   */
  async onDestroy(): Promise<void> {
    clearTimeout(this.#hashTimer);
    this.#makeHash = undefined;
    await this.#hash?.catch(() => undefined);
  }

  /**
   * Whether (email, password) is the admin; throws 403/401/429 (or 503 when thousands of clients wait)
   * otherwise. The attempt is counted before hashing and taken back if it succeeds.
   */
  async verify(email: string, password: string, client: string): Promise<void> {
    const adminHash = this.#settings.autoCreateAdmin ? this.#adminHash() : undefined;
    if (!adminHash) throw forbidden("password login disabled");
    // A fixed-size key: the throttle's counters then hold 32 bytes per email, however long it is.
    const emailDigest = digest(email.toLowerCase());
    const attempt = this.#throttle.begin(emailDigest.toString("base64url"), client);
    let passwordOk: boolean;
    try {
      // Both checks always run: no early exit that would time the email apart from the password.
      passwordOk = await this.#queue.run(attempt.clean, attempt.delayMs, () =>
        Promise.all([argon2(), adminHash]).then(([a, h]) => a.verify(h, password), () => false).catch(() => false),
      );
    } catch (busy) {
      this.#throttle.withdraw(attempt);
      throw busy;
    }
    const emailOk = timingSafeEqual(emailDigest, this.#adminEmail);
    if (!(passwordOk && emailOk)) {
      this.#logger.warn(`pico-server-auth: failed admin login from ${client}`);
      throw unauthorized("invalid credentials");
    }
    this.#throttle.succeeded(attempt);
  }

  /** For tests: the limiters' clock. */
  set now(now: () => number) {
    this.#throttle.now = now;
  }
}

/** argon2's native addon, loaded on first use rather than at import. */
function argon2(): Promise<typeof import("argon2")> {
  return import("argon2").then((module) => module.default ?? module);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

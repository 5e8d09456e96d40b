import { createHash, timingSafeEqual } from "node:crypto";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { forbidden, refused } from "../errors.js";
import { AuthEvents, THROTTLED_ROUTE } from "../events/auth-events.js";
import { RATE_LIMIT_STORE } from "../limits/rate-limit-store.js";
import type { RateLimitStore } from "../limits/rate-limit-store.js";
import { ServerAuthSettings } from "../settings.js";
import { ADMIN_CREDENTIAL_STORE } from "./admin-credential-store.js";
import type { AdminCredentialStore } from "./admin-credential-store.js";
import { AdminHash, argon2 } from "./admin-hash.js";
import { LoginThrottle } from "./login-throttle.js";
import { VerificationQueue } from "./verification-queue.js";

/**
 * Password login for the bootstrap admin. The password (checked at boot by ServerAuthSettingsCheck)
 * is hashed by AdminHash off the boot path; verification always runs argon2, so an unknown email
 * costs what a wrong password costs. LoginThrottle decides who may try and how fast;
 * VerificationQueue runs the checks a few at a time.
 */
@component()
export class AdminLogin implements OnInit, OnDestroy {
  readonly #settings: ServerAuthSettings;
  readonly #throttle: LoginThrottle;
  readonly #queue = new VerificationQueue();
  readonly #adminEmail: Buffer;
  readonly #hash: AdminHash;
  readonly #events: AuthEvents;

  constructor(
    settings: ServerAuthSettings,
    @inject(ADMIN_CREDENTIAL_STORE) store: AdminCredentialStore,
    @inject(LOGGER) logger: Logger,
    events: AuthEvents,
    @inject(RATE_LIMIT_STORE) counters: RateLimitStore,
  ) {
    this.#settings = settings;
    this.#events = events;
    this.#throttle = new LoginThrottle(counters, settings.loginMaxFailures, settings.loginWindowSeconds);
    this.#adminEmail = digest(settings.adminEmail.toLowerCase());
    this.#hash = new AdminHash(settings, store, logger);
  }

  onInit(): Promise<void> {
    return this.#hash.start();
  }

  /**
   * Stopping waits for a hash still being made: argon2 works on a native thread, and a process that
   * exits under it can crash (seen as hung test runs when a test worker died that way).
   */
  async onDestroy(): Promise<void> {
    await this.#hash.stop();
  }

  /**
   * The admin account's credential stamp, `"admin:<generation>"`: it changes when the password or
   * the hash changes, and stays across restarts with the same one. Undefined while admin login is
   * off (auto_create_admin false). Admin sessions carry it and die at their next refresh once it
   * differs. Waits for the hashing if it has not finished. The store's generation, read each time:
   * instances sharing the store each save their own hash (own salt) of the same password once, so
   * the generation this one saved may be behind theirs.
   */
  async currentStamp(): Promise<string | undefined> {
    if (!this.#settings.autoCreateAdmin) return undefined;
    return `admin:${await this.#hash.storedGeneration()}`;
  }

  /**
   * Whether (email, password) is the admin; throws 403/401/429 (or 503 when thousands of clients wait)
   * otherwise. The attempt is counted before hashing and taken back if it succeeds. A refusal is
   * reported to AuthEvents (`auth.login_failed` or `auth.throttled`) with whether the email was the
   * admin's, never the email itself (it may be a password typed in the wrong field). The caller
   * counts the sign-in once its session has started.
   */
  async verify(email: unknown, password: unknown, client: string): Promise<void> {
    const checked: { adminEmail?: boolean } = {};
    try {
      await this.#verify(email, password, client, checked);
    } catch (error) {
      this.#events.signInFailed(error, { route: THROTTLED_ROUTE.login, client, method: "password", adminEmail: checked.adminEmail });
      throw error;
    }
  }

  async #verify(email: unknown, password: unknown, client: string, checked: { adminEmail?: boolean }): Promise<void> {
    if (!this.#settings.autoCreateAdmin) throw forbidden("password login disabled");
    if (typeof email !== "string" || typeof password !== "string" || email === "" || password === "" || email.length > 320 || password.length > 1024) {
      throw refused("bad_request", "invalid credentials");
    }
    const adminHash = this.#hash.hash();
    // A fixed-size key: the throttle's counters then hold 32 bytes per email, however long it is.
    const emailDigest = digest(email.toLowerCase());
    const attempt = await this.#throttle.begin(emailDigest.toString("base64url"), client);
    let passwordOk: boolean;
    try {
      // Both checks always run: no early exit that would time the email apart from the password.
      passwordOk = await this.#queue.run(attempt.clean, attempt.delayMs, async () => {
        const [a, hash] = await Promise.all([argon2(), adminHash]);
        return a.verify(hash, password).catch(() => false);
      });
    } catch (error) {
      // Not a wrong password (the server was busy, the store unavailable, hashing failed): not held against the client.
      await this.#throttle.withdraw(attempt);
      throw error;
    }
    const emailOk = timingSafeEqual(emailDigest, this.#adminEmail);
    checked.adminEmail = emailOk;
    if (!(passwordOk && emailOk)) throw refused("invalid_credentials", "invalid credentials");
    await this.#throttle.succeeded(attempt);
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

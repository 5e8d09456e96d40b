import { createHash, timingSafeEqual } from "node:crypto";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { ServerAuthConfigurationError, forbidden, rateLimited, unauthorized } from "../errors.js";
import { ServerAuthSettings } from "../settings.js";
import { afterBoot } from "../after-boot.js";
import { WindowCounter } from "./window-counter.js";

/** argon2 verifications running at once, server-wide; beyond this, 429 instead of a queue. */
const MAX_CONCURRENT_VERIFICATIONS = 8;


/**
 * Password login for the bootstrap admin. The password is hashed with argon2id soon after boot (or given
 * as a PHC hash); verification always runs argon2, so an unknown email costs what a wrong password costs;
 * repeated failures per email and per client are answered 429 before any hashing.
 */
@component()
export class AdminLogin implements OnInit, OnDestroy {
  readonly #settings: ServerAuthSettings;
  readonly #logger: Logger;
  readonly #byEmail: WindowCounter;
  readonly #byClient: WindowCounter;
  /** The admin's argon2 hash, once asked for; hashing a plaintext password runs in the background, off the boot path. */
  #hash: Promise<string> | undefined;
  #makeHash: (() => Promise<string>) | undefined;
  #hashTimer: NodeJS.Timeout | undefined;
  #verifying = 0;

  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.#byEmail = new WindowCounter(settings.loginMaxFailures, settings.loginWindowSeconds);
    this.#byClient = new WindowCounter(settings.loginMaxFailures * 4, settings.loginWindowSeconds);
  }

  async onInit(): Promise<void> {
    const s = this.#settings;
    if (!s.autoCreateAdmin) return;
    if (s.adminPasswordHash) {
      if (!s.adminPasswordHash.startsWith("$argon2")) throw new ServerAuthConfigurationError("server_auth.admin_password_hash must be an argon2 PHC string ($argon2id$...)");
      this.#hash = Promise.resolve(s.adminPasswordHash);
      return;
    }
    if (!s.adminPassword) {
      throw new ServerAuthConfigurationError("server_auth.auto_create_admin needs server_auth.admin_password (env SERVER_AUTH__ADMIN_PASSWORD) or admin_password_hash");
    }
    if (s.adminPassword.length < 8 || s.adminPassword === "admin") {
      throw new ServerAuthConfigurationError("server_auth.admin_password is too weak: use at least 8 characters, and not the upstream default");
    }
    const password = s.adminPassword;
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
   * Whether (email, password) is the admin; throws 403/401/429 otherwise. Every attempt is counted
   * before hashing (and taken back if it succeeds), so parallel guesses cannot all slip past the limit.
   */
  async verify(email: string, password: string, client: string): Promise<void> {
    const adminHash = this.#settings.autoCreateAdmin ? this.#adminHash() : undefined;
    if (!adminHash) throw forbidden("password login disabled");
    const emailKey = email.toLowerCase();
    const wait = Math.max(this.#byEmail.blockedFor(emailKey), this.#byClient.blockedFor(client));
    if (wait > 0) throw rateLimited(wait);
    if (this.#verifying >= MAX_CONCURRENT_VERIFICATIONS) throw rateLimited(1);
    const over = Math.max(this.#byEmail.hit(emailKey), this.#byClient.hit(client));
    if (over > 0) throw rateLimited(over);
    this.#verifying++;
    let passwordOk: boolean;
    try {
      // Both checks always run: no early exit that would time the email apart from the password.
      passwordOk = await Promise.all([argon2(), adminHash]).then(([a, h]) => a.verify(h, password), () => false).catch(() => false);
    } finally {
      this.#verifying--;
    }
    const emailOk = timingSafeEqual(digest(emailKey), digest(this.#settings.adminEmail.toLowerCase()));
    if (!(passwordOk && emailOk)) {
      this.#logger.warn(`pico-server-auth: failed admin login from ${client}`);
      throw unauthorized("invalid credentials");
    }
    this.#byEmail.reset(emailKey);
    this.#byClient.forgive(client);
  }

  /**
   * PLACEHOLDER (issue 14, sessions helper): the real one, from the config helper, returns
   * `"admin:" + generation` of the stored admin credential. The lead replaces this at merge.
   */
  async currentStamp(): Promise<string | undefined> {
    return this.#settings.autoCreateAdmin ? "admin:1" : undefined;
  }

  /** For tests: the limiters' clocks. */
  set now(now: () => number) {
    this.#byEmail.now = now;
    this.#byClient.now = now;
  }
}

/** argon2's native addon, loaded on first use rather than at import. */
function argon2(): Promise<typeof import("argon2")> {
  return import("argon2").then((module) => module.default ?? module);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

import { randomBytes } from "node:crypto";
import { component, createToken } from "pico-ioc";
import { ServerAuthSettings } from "../settings.js";

/**
 * Where wallet challenges live. Replace the in-memory default with
 * `@component({ provides: CHALLENGE_STORE })` (e.g. Redis for several instances). Async-first:
 * every method is awaited.
 */
export interface ChallengeStore {
  /** A new 64-hex-char challenge for `address`, valid for the configured TTL. */
  create(address: string): Promise<string>;
  /**
   * Consumes `challenge` if it exists, is unexpired and was issued for `address`. Exactly one caller
   * can ever get `true` for a challenge, however many race for it.
   */
  consume(address: string, challenge: string): Promise<boolean>;
}

export const CHALLENGE_STORE = createToken<ChallengeStore>("ChallengeStore");

/**
 * The default store: challenges keyed by the challenge itself (so nobody can overwrite or burn
 * another address's pending challenge), at most `max_challenges` of them (oldest evicted first, so a
 * flood of addresses cannot exhaust memory), consumed atomically (one synchronous delete).
 */
@component({ provides: CHALLENGE_STORE, fallback: true })
export class InMemoryChallengeStore implements ChallengeStore {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<string, { readonly address: string; readonly expiresAt: number }>();
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number = Date.now;

  constructor(settings: ServerAuthSettings) {
    this.#ttlMs = settings.challengeTtlSeconds * 1000;
    this.#max = settings.maxChallenges;
  }

  async create(address: string): Promise<string> {
    const challenge = randomBytes(32).toString("hex");
    this.#entries.set(challenge, { address, expiresAt: this.now() + this.#ttlMs });
    // Map keeps insertion order, and every entry has the same TTL: the first ones are the oldest.
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#max && entry.expiresAt > this.now()) break;
      this.#entries.delete(key);
    }
    return challenge;
  }

  async consume(address: string, challenge: string): Promise<boolean> {
    const entry = this.#entries.get(challenge);
    if (!entry || entry.address !== address) return false;
    this.#entries.delete(challenge);
    return entry.expiresAt > this.now();
  }

  get size(): number {
    return this.#entries.size;
  }
}

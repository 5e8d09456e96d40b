import { randomBytes } from "node:crypto";
import { createToken } from "pico-ioc";
import type { AddressBinding } from "../bindings/binding-store.js";
import type { ServerAuthSettings } from "../settings.js";

/** What a challenge was issued for: kept with it, so /sign-in checks the signature against exactly this. */
export interface PendingChallenge {
  /** The address, exactly as the client sent it. */
  readonly address: string;
  /** The algorithm the message was written for (secure mode); undefined in upstream mode. */
  readonly algorithm?: string;
  /** The exact text the wallet signs: the sign-in message, or the bare challenge in upstream mode. */
  readonly message: string;
  /** For a move: the key the address moves to (canonical hex), named in the message. */
  readonly moveTo?: AddressBinding;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Writes the message of a new challenge once its nonce and times are known. */
export type ChallengeRequest = Omit<PendingChallenge, "message" | "issuedAt" | "expiresAt"> & {
  readonly compose: (challenge: string, issuedAt: number, expiresAt: number) => string;
};

/**
 * Where wallet challenges live: the FAST_STATE's (memory, the workers' shared.db, or Redis, as the
 * settings choose). Replace with `@component({ provides: CHALLENGE_STORE })`; every implementation
 * passes `challengeStoreContract` of `pico-server-auth/testing`. Async-first: every method is awaited.
 */
export interface ChallengeStore {
  /** A new 64-hex-char challenge (the nonce), valid for the configured TTL, kept with what it was issued for. */
  create(request: ChallengeRequest): Promise<{ readonly challenge: string; readonly pending: PendingChallenge }>;
  /**
   * Consumes `challenge` if it exists, is unexpired and was issued for `address`, and returns what it
   * was issued for. Exactly one caller can ever get it, however many race for it.
   * `check` (synchronous) runs on it first: when it throws, the challenge is left as it was and the
   * error propagates, so a malformed request does not burn it. A store that cannot run it before
   * consuming may ignore it (the caller runs it again on what is returned).
   */
  consume(address: string, challenge: string, check?: (pending: PendingChallenge) => void): Promise<PendingChallenge | undefined>;
}

export const CHALLENGE_STORE = createToken<ChallengeStore>("ChallengeStore");

/** A new challenge (256 random bits, in hex) and what it is kept with, valid `ttlMs` from `issuedAt`: every store issues them alike. */
export function newChallenge({ compose, ...request }: ChallengeRequest, issuedAt: number, ttlMs: number): { challenge: string; pending: PendingChallenge } {
  const challenge = randomBytes(32).toString("hex");
  const expiresAt = issuedAt + ttlMs;
  return { challenge, pending: { ...request, message: compose(challenge, issuedAt, expiresAt), issuedAt, expiresAt } };
}

/**
 * The store of one process (the memory FastState, the default without workers or Redis): challenges
 * keyed by the challenge itself (so nobody can overwrite or burn another address's pending challenge),
 * at most `max_challenges` of them (oldest evicted first, so a flood of addresses cannot exhaust
 * memory), consumed atomically (one synchronous delete).
 */
export class InMemoryChallengeStore implements ChallengeStore {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<string, PendingChallenge>();
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number = Date.now;

  constructor(settings: ServerAuthSettings) {
    this.#ttlMs = settings.challengeTtlSeconds * 1000;
    this.#max = settings.maxChallenges;
  }

  async create(request: ChallengeRequest): Promise<{ challenge: string; pending: PendingChallenge }> {
    const { challenge, pending } = newChallenge(request, this.now(), this.#ttlMs);
    this.#entries.set(challenge, pending);
    // Map keeps insertion order, and every entry has the same TTL: the first ones are the oldest.
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#max && entry.expiresAt > this.now()) break;
      this.#entries.delete(key);
    }
    return { challenge, pending };
  }

  async consume(address: string, challenge: string, check?: (pending: PendingChallenge) => void): Promise<PendingChallenge | undefined> {
    const entry = this.#entries.get(challenge);
    if (!entry || entry.address !== address) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(challenge);
      return undefined;
    }
    // Synchronous from the check to the delete: no other consume can interleave.
    check?.(entry);
    this.#entries.delete(challenge);
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}

import type { ChangeTopic } from "../../sync/change-signal.js";

/**
 * The names of everything this backend keeps in Redis, all under `server_auth.redis_key_prefix`, so
 * several deployments (or test runs) share one Redis without meeting, and `SCAN MATCH <prefix>*`
 * finds all of it.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** A pending challenge, keyed by the challenge itself (256 random bits: nobody can name another's). */
  challenge(challenge: string): string {
    return `${this.prefix}challenge:${challenge}`;
  }

  /** The outstanding challenges' keys in the order they were issued (to evict the oldest beyond max_challenges). */
  challengeOrder(): string {
    return `${this.prefix}challenges`;
  }

  /** A rate-limit window. */
  counter(key: string): string {
    return `${this.prefix}limit:${key}`;
  }

  /** The pub/sub channel of a change topic. */
  channel(topic: ChangeTopic): string {
    return `${this.prefix}signal:${topic}`;
  }
}

import { newChallenge } from "../../challenge/challenge-store.js";
import type { ChallengeRequest, ChallengeStore, PendingChallenge } from "../../challenge/challenge-store.js";
import { LuaScript } from "./lua-script.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";

/**
 * Deletes a challenge only if it still holds exactly the value the caller read and checked. A
 * challenge's value is written once (SET NX) and is unique (it names its 256-bit nonce), so of any
 * number of concurrent consumers on any number of instances exactly one gets 1.
 */
const DELETE_IF_UNCHANGED = new LuaScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`);

/**
 * Issues a challenge: KEYS[1] the challenge, KEYS[2] the issue order (a list of challenge keys,
 * oldest first); ARGV[1] the value, ARGV[2] the TTL (ms), ARGV[3] max_challenges. SET NX PX, then
 * the oldest challenges beyond the bound are deleted: at most max_challenges are outstanding across
 * every instance, as in one process. The list holds keys of consumed or expired challenges too until
 * they come up (deleting them again is harmless); it expires with the newest challenge, and is never
 * longer than the bound. Returns 0 when the challenge existed (never overwritten).
 */
const ISSUE = new LuaScript(`
if not redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
  return 0
end
local length = redis.call("RPUSH", KEYS[2], KEYS[1])
local excess = length - tonumber(ARGV[3])
if excess > 0 then
  for _, oldest in ipairs(redis.call("LRANGE", KEYS[2], 0, excess - 1)) do
    redis.call("DEL", oldest)
  end
  redis.call("LTRIM", KEYS[2], excess, -1)
end
redis.call("PEXPIRE", KEYS[2], ARGV[2])
return 1`);

/**
 * Challenges in Redis, shared by every instance: one issued by A redeems once, on any instance.
 *
 * Consuming is read, check, then compare-and-delete: the address and expiry are checked, and the
 * caller's `check` runs, before anything is deleted, so a wrong address or a malformed request
 * never burns someone else's challenge (a bare GETDEL would); the delete then succeeds for exactly
 * one caller.
 *
 * Bounded twice: every challenge carries a TTL of `challenge_ttl_seconds` (SET PX), and at most
 * `max_challenges` are outstanding across all instances together (oldest evicted first), so a flood
 * of challenge requests evicts old challenges rather than filling Redis (which, full under
 * `noeviction`, would refuse the rate-limit counters too). Redis' own `maxmemory` stays the last bound.
 * Single Redis only (a script touches keys it computes: not for Redis Cluster).
 */
export class RedisChallengeStore implements ChallengeStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;
  readonly #max: number;
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number = Date.now;

  constructor(redis: RedisConnection, keys: RedisKeys, settings: { readonly challengeTtlSeconds: number; readonly maxChallenges: number }) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlMs = settings.challengeTtlSeconds * 1000;
    this.#max = settings.maxChallenges;
  }

  async create(request: ChallengeRequest): Promise<{ challenge: string; pending: PendingChallenge }> {
    const { challenge, pending } = newChallenge(request, this.now(), this.#ttlMs);
    const key = this.#keys.challenge(challenge);
    const args = [JSON.stringify(pending), String(this.#ttlMs), String(this.#max)];
    const issued = await this.#redis.run("challenges.create", (client) => ISSUE.run(client, [key, this.#keys.challengeOrder()], args));
    // NX: a value is written once, which the compare-and-delete relies on (a 256-bit collision is refused, never overwrites).
    if (issued !== 1) throw new Error("a fresh 256-bit challenge already existed in Redis");
    return { challenge, pending };
  }

  async consume(address: string, challenge: string, check?: (pending: PendingChallenge) => void): Promise<PendingChallenge | undefined> {
    // Only a 64-hex-char challenge can exist: anything else is not even looked up (and cannot reach a key name).
    if (!/^[0-9a-f]{64}$/.test(challenge)) return undefined;
    const key = this.#keys.challenge(challenge);
    const stored = await this.#redis.run("challenges.consume", (client) => client.get(key));
    if (typeof stored !== "string") return undefined;
    const pending = parsePending(stored);
    // Another address's challenge is left alone: it stays redeemable by its own address.
    if (!pending || pending.address !== address) return undefined;
    // Redis' TTL removes it; this catches the last moments, measured on this instance's clock.
    if (pending.expiresAt <= this.now()) return undefined;
    check?.(pending);
    const deleted = await this.#redis.run("challenges.consume", (client) => DELETE_IF_UNCHANGED.run(client, [key], [stored]));
    return deleted === 1 ? pending : undefined;
  }
}

/** A stored challenge; undefined for a value this store did not write (another writer under the prefix): a 401 then, never a 500. */
function parsePending(stored: string): PendingChallenge | undefined {
  try {
    const value: unknown = JSON.parse(stored);
    const pending = value as PendingChallenge;
    return typeof value === "object" && value !== null && typeof pending.address === "string" && typeof pending.message === "string" && Number.isFinite(pending.expiresAt) ? pending : undefined;
  } catch {
    return undefined;
  }
}

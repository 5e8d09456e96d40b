import { checkHitArguments, checkLimitKey } from "../../limits/hit-arguments.js";
import type { RateLimitStore, WindowCount } from "../../limits/rate-limit-store.js";
import { LuaScript } from "./lua-script.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";

/**
 * KEYS[1] the counter, ARGV[1] the window (ms), ARGV[2] the amount; returns {count, PTTL}.
 * Adding: INCRBY, and PEXPIRE only on a key without a TTL (a new one): its window starts now, and
 * later hits never move its end. Taking back (amount <= 0): never below 0 (SET KEEPTTL keeps the
 * end), and never creates a key ({0, -2}).
 */
const HIT = new LuaScript(`
local amount = tonumber(ARGV[2])
if amount > 0 then
  local count = redis.call("INCRBY", KEYS[1], amount)
  local ttl = redis.call("PTTL", KEYS[1])
  if ttl < 0 then
    redis.call("PEXPIRE", KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  return {count, ttl}
end
local current = redis.call("GET", KEYS[1])
if not current then
  return {0, -2}
end
local count = math.max(tonumber(current) + amount, 0)
if amount ~= 0 then
  redis.call("SET", KEYS[1], count, "KEEPTTL")
end
return {count, redis.call("PTTL", KEYS[1])}`);

/** KEYS[1] the counter; returns {count, PTTL}, or nil when it has no window. One step, so the two agree. */
const PEEK = new LuaScript(`
local count = redis.call("GET", KEYS[1])
if not count then
  return nil
end
return {tonumber(count), redis.call("PTTL", KEYS[1])}`);

/**
 * Fixed-window counters in Redis, shared by every instance: login and challenge limits count across
 * instances instead of multiplying by their number. Each method is one script (atomic); Redis'
 * TTL ends a window, so no key outlives its window and nothing needs sweeping.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  /** Milliseconds since the epoch (resetAt = now + Redis' PTTL); replaceable in tests. */
  now: () => number = Date.now;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async hit(key: string, windowMs: number, amount = 1): Promise<WindowCount> {
    checkHitArguments(key, windowMs, amount);
    const reply = await this.#redis.run("counters.hit", (client) => HIT.run(client, [this.#keys.counter(key)], [String(windowMs), String(amount)]));
    const [count, ttl] = pair(reply);
    // No window (taking back from nothing): nothing to wait for.
    return { count, resetAt: this.now() + Math.max(ttl, 0) };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    checkLimitKey(key);
    const reply = await this.#redis.run("counters.peek", (client) => PEEK.run(client, [this.#keys.counter(key)], []));
    if (reply === null) return undefined;
    const [count, ttl] = pair(reply);
    // A key without a TTL cannot be written by this store; were it there, it has no window either.
    return ttl > 0 ? { count, resetAt: this.now() + ttl } : undefined;
  }

  async reset(key: string): Promise<void> {
    checkLimitKey(key);
    await this.#redis.run("counters.reset", (client) => client.del(this.#keys.counter(key)));
  }
}

/** The scripts' {count, ttl} reply. */
function pair(reply: unknown): [number, number] {
  if (!Array.isArray(reply) || reply.length !== 2) throw new TypeError(`unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  return [Number(reply[0]), Number(reply[1])];
}

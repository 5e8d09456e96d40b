/**
 * `pico-server-auth/redis`: the Redis backend of the fast shared state (challenges, rate-limit
 * counters, change signals), loaded only when `server_auth.redis_url` is set, so the Redis client is
 * never imported otherwise.
 * @module
 */
import type { Logger } from "pico-ioc";
import type { ServerAuthSettings } from "../../settings.js";
import type { FastState } from "../fast-state.js";
import { RedisChallengeStore } from "./redis-challenge-store.js";
import { RedisChangeSignal } from "./redis-change-signal.js";
import { DEFAULT_REDIS_TIMEOUTS, RedisConnection } from "./redis-connection.js";
import type { RedisTimeouts } from "./redis-connection.js";
import { RedisKeys } from "./redis-keys.js";
import { RedisRateLimitStore } from "./redis-rate-limit-store.js";

/**
 * Connects to `settings.redisUrl` (waiting at most `timeouts.bootMs`: Redis down at boot means 503s
 * until it comes, not a failed boot) and returns the fast state kept there. Every key and channel is
 * under `settings.redisKeyPrefix`.
 */
export async function openRedisState(settings: ServerAuthSettings, logger: Logger, timeouts: Partial<RedisTimeouts> = {}): Promise<FastState> {
  if (!settings.redisUrl) throw new TypeError('"settings.redisUrl" expected a redis:// or rediss:// URL, got none');
  const redis = await RedisConnection.open(settings.redisUrl, logger, { ...DEFAULT_REDIS_TIMEOUTS, ...timeouts });
  const keys = new RedisKeys(settings.redisKeyPrefix);
  return {
    kind: "redis",
    challenges: new RedisChallengeStore(redis, keys, settings),
    counters: new RedisRateLimitStore(redis, keys),
    signal: new RedisChangeSignal(redis, keys, logger),
    check: async () => {
      await redis.run("check", (client) => client.ping());
    },
    close: () => redis.close(),
  };
}

export { RedisChallengeStore } from "./redis-challenge-store.js";
export { RedisChangeSignal } from "./redis-change-signal.js";
export { DEFAULT_REDIS_TIMEOUTS, RedisConnection, reconnectDelay } from "./redis-connection.js";
export type { RedisClient, RedisTimeouts } from "./redis-connection.js";
export { RedisKeys } from "./redis-keys.js";
export { RedisRateLimitStore } from "./redis-rate-limit-store.js";
export { redactRedisUrl, redisUrlProblem } from "./url.js";

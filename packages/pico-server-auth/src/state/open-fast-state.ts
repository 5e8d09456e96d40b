import cluster from "node:cluster";
import type { Logger } from "pico-ioc";
import { ServerAuthConfigurationError } from "../errors.js";
import type { ServerAuthSettings } from "../settings.js";
import type { FastState } from "./fast-state.js";
import { memoryFastState } from "./memory-fast-state.js";

/** The Redis backend's entry point (src/state/redis/index.ts, subpath pico-server-auth/redis): imported only when redis_url is set. */
export interface RedisModule {
  openRedisState(settings: ServerAuthSettings, logger: Logger): Promise<FastState>;
}

export interface FastStateChoice {
  /** Whether this process is one of several node:cluster workers; default `cluster.isWorker`. */
  readonly isWorker?: boolean;
  /** Loads the Redis backend; replaceable in tests. */
  readonly importRedis?: () => Promise<RedisModule>;
}

/**
 * Opens the FastState the settings call for: Redis when `redis_url` is set (shared by every
 * instance); else, in a node:cluster worker on the SQLite store, `data_dir/shared.db` (shared by
 * this machine's workers); else this process's memory (one instance only).
 */
export async function openFastState(settings: ServerAuthSettings, logger: Logger, choice: FastStateChoice = {}): Promise<FastState> {
  if (settings.redisUrl !== undefined) {
    const { openRedisState } = await loadRedis(choice.importRedis ?? (() => import("./redis/index.js")));
    return openRedisState(settings, logger);
  }
  if (!(choice.isWorker ?? cluster.isWorker)) return memoryFastState(settings);
  if (settings.store === "sqlite") {
    const { SHARED_DB_FILE, openSqliteFastState } = await import("./sqlite/index.js");
    const state = openSqliteFastState(settings);
    logger.info(`pico-server-auth: challenges and rate limits are shared by this machine's workers through ${SHARED_DB_FILE} in server_auth.data_dir`);
    return state;
  }
  // Only SQLite's data_dir is known to be this machine's own: PostgreSQL may serve several machines.
  logger.warn(`pico-server-auth: several workers, store ${settings.store} and no server_auth.redis_url: each worker keeps its own challenges and rate limits, so a challenge redeems only on the worker that issued it and limits count per worker; set server_auth.redis_url`);
  return memoryFastState(settings);
}

async function loadRedis(importRedis: () => Promise<RedisModule>): Promise<RedisModule> {
  try {
    return await importRedis();
  } catch (error) {
    if (!isMissingModule(error)) throw error;
    // The message names the missing module, never the URL (it may hold a password).
    throw new ServerAuthConfigurationError(
      `server_auth.redis_url is set, but the Redis backend cannot be loaded (${(error as Error).message}): reinstall pico-server-auth with its dependencies (the Redis client is @redis/client), or unset server_auth.redis_url (SERVER_AUTH__REDIS_URL) to keep challenges and rate limits in process`,
    );
  }
}

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || (error instanceof Error && /Cannot find (module|package)|Failed to load url/.test(error.message));
}

import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@redis/client";
import type { RedisClientType } from "@redis/client";
import type { Logger } from "pico-ioc";
import { StoreOutageLog } from "../../store/outage-log.js";
import { redisFailureReason, redisUnavailable } from "./redis-failure.js";
import { redactRedisUrl } from "./url.js";

export type RedisClient = RedisClientType;

/** How long anything waits for Redis. Every wait is bounded: a request never hangs on a dead Redis. */
export interface RedisTimeouts {
  /** Longest wait for a TCP connection and its handshake. */
  readonly connectMs: number;
  /** Longest wait for one command's reply, sent or not yet sent: then a 503. */
  readonly commandMs: number;
  /** Longest wait for Redis at boot: then boot goes on, and requests that need Redis answer 503 until it comes. */
  readonly bootMs: number;
}

export const DEFAULT_REDIS_TIMEOUTS: RedisTimeouts = { connectMs: 2_000, commandMs: 1_000, bootMs: 5_000 };

/**
 * Delay before reconnect attempt `retries` (from 0): 50 ms doubling to 2 s, plus up to 200 ms of
 * jitter so instances that lost Redis together do not knock together. Never gives up: the app
 * recovers by itself whenever Redis comes back.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), 2_000) + Math.floor(Math.random() * 200);
}

/**
 * The two connections of one instance to Redis, and how their failures surface:
 * - `client` runs commands. Its offline queue is off: while disconnected a command fails at once
 *   (503) instead of piling up; and every command, sent or not, fails after `commandMs`.
 * - `subscriber` (a duplicate: a subscribed RESP connection serves nothing else) keeps the
 *   subscriptions; it queues while offline, and node-redis subscribes again after each reconnect.
 * Both reconnect forever with `reconnectDelay`. An outage is logged when it starts and when it ends
 * (StoreOutageLog), never once per failed call, and never with the URL's password.
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly subscriber: RedisClient;
  readonly #outages: StoreOutageLog;
  /** The last connection failure of either connection, for the boot line (a wrong password says WRONGPASS there). */
  #lastFailure: unknown;

  private constructor(client: RedisClient, subscriber: RedisClient, outages: StoreOutageLog) {
    this.client = client;
    this.subscriber = subscriber;
    this.#outages = outages;
  }

  /** Connects both; waits for them at most `timeouts.bootMs`, then goes on (they keep trying). */
  static async open(url: string, logger: Logger, timeouts: RedisTimeouts = DEFAULT_REDIS_TIMEOUTS): Promise<RedisConnection> {
    const client: RedisClient = createClient({
      url,
      socket: { connectTimeout: timeouts.connectMs, reconnectStrategy: reconnectDelay },
      disableOfflineQueue: true,
      // rejectInFlight: a command already sent to a Redis that stopped answering fails too, not only a queued one.
      commandOptions: { timeout: timeouts.commandMs, rejectInFlight: true },
    });
    const subscriber: RedisClient = client.duplicate({ disableOfflineQueue: false, commandOptions: {} });
    const connection = new RedisConnection(client, subscriber, new StoreOutageLog(logger));
    connection.#watch(client, "connection");
    connection.#watch(subscriber, "subscriber connection");
    const where = redactRedisUrl(url);
    // false when a connect is given up (close() during boot): boot goes on as if Redis were down.
    const connected = Promise.all([client.connect(), subscriber.connect()]).then(() => true, () => false);
    const abort = new AbortController();
    const ready = await Promise.race([connected, sleep(timeouts.bootMs, false, { signal: abort.signal }).catch(() => false)]);
    abort.abort();
    if (ready) logger.info(`pico-server-auth: Redis at ${where} keeps challenges, rate-limit counters and change signals`);
    else {
      const why = connection.#lastFailure === undefined ? "no answer" : redisFailureReason(connection.#lastFailure);
      logger.error(`pico-server-auth: Redis at ${where} is not ready after ${timeouts.bootMs} ms (${why}); boot goes on, and requests that need Redis answer 503 until it is (retrying forever)`);
    }
    return connection;
  }

  /**
   * Runs `command` on the command client: a failure of any kind becomes StoreUnavailableError (503)
   * and counts in the outage log under `method`; a success ends that method's part of an outage.
   */
  async run<T>(method: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await command(this.client);
    } catch (error) {
      const failure = redisUnavailable(error);
      this.#outages.failed(method, failure);
      throw failure;
    }
    this.#outages.succeeded(method);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all([closeClient(this.client), closeClient(this.subscriber)]);
  }

  /** A lost connection is one failure in the outage log (not one per reconnect attempt); its return ends it. */
  #watch(client: RedisClient, name: string): void {
    let up = true;
    // node-redis emits "error" on each failed attempt; without a listener it would crash the process.
    client.on("error", (error: unknown) => {
      this.#lastFailure = error;
      if (!up) return;
      up = false;
      this.#outages.failed(name, redisUnavailable(error));
    });
    client.on("ready", () => {
      up = true;
      this.#outages.succeeded(name);
    });
  }
}

/** Graceful when connected (pending replies arrive); at once otherwise (nothing to wait for). */
async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) return client.destroy();
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}

import { randomBytes } from "node:crypto";
import type { Logger } from "pico-ioc";
import type { ChangeSignal, ChangeTopic } from "../../sync/change-signal.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";

/**
 * Change signals over Redis pub/sub: one channel per topic under the key prefix, on the subscriber
 * connection. A message carries only the sender's random id (so an instance ignores its own
 * signals); the stores stay the only truth, and polling (`sync_interval_ms`) catches up whatever a
 * signal misses.
 *
 * After the subscriber reconnects, node-redis subscribes again; signals sent while it was away are
 * lost, so every listener is called once then, to reread at once rather than at its next poll.
 */
export class RedisChangeSignal implements ChangeSignal {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  /** This instance's id in the messages it sends. */
  readonly #sender = randomBytes(12).toString("base64url");
  readonly #listeners = new Map<ChangeTopic, Set<() => void>>();
  /** Topics whose SUBSCRIBE Redis confirmed, or that are on their way. */
  readonly #subscribed = new Set<ChangeTopic>();

  constructor(redis: RedisConnection, keys: RedisKeys, logger: Logger) {
    this.#redis = redis;
    this.#keys = keys;
    this.#logger = logger;
    let connectedBefore = redis.subscriber.isReady;
    redis.subscriber.on("ready", () => {
      for (const topic of this.#listeners.keys()) this.#subscribeRedis(topic);
      if (connectedBefore) for (const topic of this.#listeners.keys()) this.#notify(topic);
      connectedBefore = true;
    });
  }

  async publish(topic: ChangeTopic): Promise<void> {
    try {
      await this.#redis.run("signal.publish", (client) => client.publish(this.#keys.channel(topic), this.#sender));
    } catch {
      // Best effort by contract: the failure is in the outage log, and other instances' polling catches up.
    }
  }

  subscribe(topic: ChangeTopic, listener: () => void): () => void {
    let listeners = this.#listeners.get(topic);
    if (!listeners) this.#listeners.set(topic, (listeners = new Set()));
    // A copy per subscription: the same function subscribed twice is called twice, and each unsubscribe removes its own.
    const entry = () => listener();
    listeners.add(entry);
    this.#subscribeRedis(topic);
    return () => {
      listeners.delete(entry);
    };
  }

  /** Subscribes the Redis channel of `topic` once; a failed attempt is retried at the next reconnect. */
  #subscribeRedis(topic: ChangeTopic): void {
    if (this.#subscribed.has(topic)) return;
    this.#subscribed.add(topic);
    this.#redis.subscriber
      .subscribe(this.#keys.channel(topic), (message) => {
        if (message !== this.#sender) this.#notify(topic);
      })
      .catch(() => {
        this.#subscribed.delete(topic);
      });
  }

  #notify(topic: ChangeTopic): void {
    for (const listener of this.#listeners.get(topic) ?? []) {
      try {
        listener();
      } catch (error) {
        this.#logger.warn(`pico-server-auth: a listener of the "${topic}" change signal failed`, { err: error });
      }
    }
  }
}

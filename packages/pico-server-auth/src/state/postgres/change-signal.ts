import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "pico-ioc";
import type { ChangeSignal, ChangeTopic } from "../../sync/change-signal.js";
import type { PostgresDatabase } from "./database.js";
import { connectionConfig } from "./database.js";

const TOPICS: readonly ChangeTopic[] = ["signing-keys", "revocations"];
/** Reconnect delays of the listening connection: doubling from the first to the last. */
const RECONNECT_MS = { first: 100, last: 5_000 } as const;

/**
 * CHANGE_SIGNAL over LISTEN/NOTIFY. NOTIFY reaches the listeners of one database only; the channel
 * names add a hash of the database and schema, so deployments sharing a database by schema do not
 * wake each other. The listening connection is its own (a pooled one would be handed to other calls):
 * when it breaks (a server restart, pg_terminate_backend) it reconnects with backoff and LISTENs
 * again, then calls every listener once, since signals sent meanwhile were lost. Polling
 * (`sync_interval_ms`) covers whatever a signal misses.
 */
export class PostgresChangeSignal implements ChangeSignal {
  readonly #db: PostgresDatabase;
  readonly #url: string;
  readonly #logger: Logger;
  readonly #channels: ReadonlyMap<ChangeTopic, string>;
  readonly #topicOf: ReadonlyMap<string, ChangeTopic>;
  readonly #listeners = new Map<ChangeTopic, Set<() => void>>();
  /** Sent as the payload, so this instance ignores its own signals. */
  readonly #origin = randomUUID();
  #client: pg.Client | undefined;
  #retryMs: number = RECONNECT_MS.first;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #lostLogged = false;

  private constructor(db: PostgresDatabase, url: string, logger: Logger, namespace: string) {
    this.#db = db;
    this.#url = url;
    this.#logger = logger;
    this.#channels = new Map(TOPICS.map((topic) => [topic, `pico_auth.${topic}.${namespace}`]));
    this.#topicOf = new Map([...this.#channels].map(([topic, channel]) => [channel, topic]));
  }

  /** Starts listening; a failure to connect now is retried in the background, never thrown. */
  static async open(db: PostgresDatabase, url: string, logger: Logger): Promise<PostgresChangeSignal> {
    const { rows } = await db.run("changeSignal", (q) => q.query<{ name: string }>("SELECT current_database() || '/' || coalesce(current_schema(), '') AS name"));
    const namespace = createHash("sha256").update(rows[0]?.name ?? "").digest("hex").slice(0, 12);
    const signal = new PostgresChangeSignal(db, url, logger, namespace);
    await signal.#connect();
    return signal;
  }

  /** The channel of `topic` (for tests and diagnostics). */
  channel(topic: ChangeTopic): string {
    return this.#channels.get(topic) as string;
  }

  async publish(topic: ChangeTopic): Promise<void> {
    try {
      await this.#db.run("publish", (q) => q.query("SELECT pg_notify($1, $2)", [this.channel(topic), this.#origin]));
    } catch (error) {
      // Best effort: a lost signal is caught up by the other instances' polling.
      this.#logger.debug(`pico-server-auth: PostgreSQL NOTIFY of ${topic} failed: ${(error as Error).message}`);
    }
  }

  subscribe(topic: ChangeTopic, listener: () => void): () => void {
    const set = this.#listeners.get(topic) ?? new Set();
    this.#listeners.set(topic, set);
    // A wrapper per call, so subscribing one function twice needs two unsubscribes, like EventEmitter.
    const entry = () => listener();
    set.add(entry);
    return () => void set.delete(entry);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ ...connectionConfig(this.#url, "pico-server-auth listen"), query_timeout: undefined, statement_timeout: undefined });
    client.on("notification", (message) => this.#notified(message));
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client, new Error("connection ended")));
    try {
      await client.connect();
      for (const channel of this.#channels.values()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      this.#lost(client, error as Error);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.#lostLogged;
    this.#client = client;
    this.#retryMs = RECONNECT_MS.first;
    if (reconnected) {
      this.#lostLogged = false;
      this.#logger.info("pico-server-auth: PostgreSQL LISTEN connection restored; rereading the shared state");
      for (const topic of TOPICS) this.#call(topic);
    }
  }

  #notified(message: pg.Notification): void {
    if (message.payload === this.#origin) return;
    const topic = this.#topicOf.get(message.channel);
    if (topic) this.#call(topic);
  }

  #call(topic: ChangeTopic): void {
    for (const listener of [...(this.#listeners.get(topic) ?? [])]) {
      try {
        listener();
      } catch (error) {
        this.#logger.error(`pico-server-auth: a ${topic} change listener threw`, { err: error });
      }
    }
  }

  /** The listening connection broke (or never opened): drop it, try again after a while. */
  #lost(client: pg.Client, error: Error): void {
    if (this.#closed || (this.#client !== undefined && this.#client !== client) || this.#timer !== undefined) return;
    this.#client = undefined;
    client.removeAllListeners("end");
    client.on("error", () => undefined);
    void client.end().catch(() => undefined);
    if (!this.#lostLogged) {
      this.#lostLogged = true;
      this.#logger.warn(`pico-server-auth: PostgreSQL LISTEN connection to ${this.#db.shownUrl} lost (${error.message}); reconnecting, polling meanwhile`);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, RECONNECT_MS.last);
  }
}

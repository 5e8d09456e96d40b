import pg from "pg";
import type { Logger } from "pico-ioc";
import { asPostgresFailure, breaksConnection, isRetryable } from "./failure.js";
import { redactPostgresUrl } from "./url.js";

/**
 * Time limits, so that no call hangs on a database that went away: each one ends in a
 * StoreUnavailableError (a 503) instead.
 */
export const POSTGRES_TIMEOUTS = {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: 5_000,
  /** One statement on the server (lock waits included). */
  statementMs: 10_000,
  /** One statement as the client sees it: also catches a server that stopped answering without closing the socket. */
  queryMs: 15_000,
  /** A transaction left open by a client that died mid-way: the server ends it, releasing its locks. */
  idleInTransactionMs: 30_000,
} as const;

/** Connections per instance: each call holds one for a few statements. */
const POOL_SIZE = 10;
/** How often a transaction that hit a deadlock or a serialization failure runs again before failing. */
const RETRIES = 3;
const INT8_OID = 20;

export type Queryable = Pick<pg.PoolClient, "query">;

export type PostgresTimeouts = { readonly [K in keyof typeof POSTGRES_TIMEOUTS]: number };

/** Options of a PostgreSQL connection: timeouts, bigint columns as numbers. */
export function connectionConfig(url: string, applicationName: string, timeouts: PostgresTimeouts = POSTGRES_TIMEOUTS): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: applicationName,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.queryMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // So a listening connection notices a server that vanished without closing the socket.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Times and sequence numbers are int8; every one of them is far below 2^53.
    types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format))) as never },
  };
}

/**
 * The pool every port of one PostgreSQL state shares. `run` is how a port calls the database: a
 * database that cannot answer (refused, restarting, timed out) becomes a StoreUnavailableError (the
 * port instrumentation above every backend logs outages, once per outage). The pool replaces broken
 * connections on its own, so calls work again as soon as the server does.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;
  /** postgres_url without user, password or query: what logs and messages show. */
  readonly shownUrl: string;
  readonly #logger: Logger;
  #closed = false;

  /** `timeouts`: POSTGRES_TIMEOUTS unless given (tests shorten them). */
  constructor(url: string, logger: Logger, options: { readonly poolSize?: number; readonly timeouts?: Partial<PostgresTimeouts> } = {}) {
    this.shownUrl = redactPostgresUrl(url);
    this.#logger = logger;
    const timeouts = { ...POSTGRES_TIMEOUTS, ...options.timeouts };
    this.pool = new pg.Pool({ ...connectionConfig(url, "pico-server-auth", timeouts), max: options.poolSize ?? POOL_SIZE });
    // An idle connection that the server closed (a restart, pg_terminate_backend) is reported here and
    // dropped from the pool; without a listener the error would end the process.
    this.pool.on("error", (error) => this.#logger.debug(`pico-server-auth: an idle PostgreSQL connection to ${this.shownUrl} closed: ${asText(error)}`));
  }

  /** Runs one statement (autocommit) on a pooled connection. */
  run<T>(method: string, call: (db: Queryable) => Promise<T>): Promise<T> {
    return this.#call(method, false, call);
  }

  /** Runs `call` in one transaction (READ COMMITTED), again when it hit a deadlock or a serialization failure. */
  transaction<T>(method: string, call: (db: Queryable) => Promise<T>): Promise<T> {
    return this.#call(method, true, call);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  async #call<T>(method: string, inTransaction: boolean, call: (db: Queryable) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error(`PostgreSQL store ${method}() was called after close() (${this.shownUrl}); open the store again to use it`);
    try {
      return await this.#attempt(inTransaction, call);
    } catch (error) {
      throw asPostgresFailure(error);
    }
  }

  async #attempt<T>(inTransaction: boolean, call: (db: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw asPostgresFailure(error, true);
      }
      let broken: Error | undefined;
      // The server ending a connection while it is checked out (a restart under load) is emitted as an
      // 'error' event besides failing the query; pg-pool listens only while the connection is idle, and
      // an 'error' nobody listens to ends the process.
      const onError = (error: Error) => (broken = error);
      client.on("error", onError);
      try {
        if (!inTransaction) return await call(client);
        await client.query("BEGIN");
        try {
          const result = await call(client);
          await client.query("COMMIT");
          return result;
        } catch (error) {
          // A broken or timed-out connection is closed below, which ends the transaction on the server:
          // a ROLLBACK on it would only wait behind the stuck statement for one more query timeout.
          if (!breaksConnection(error)) await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      } catch (error) {
        // A connection that failed (or timed out on the client side, its statement maybe still running)
        // is closed rather than handed to the next caller.
        if (breaksConnection(error)) broken = error as Error;
        if (!inTransaction || !isRetryable(error) || attempt >= RETRIES) throw error;
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    }
  }
}

function asText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

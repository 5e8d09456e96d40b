import pg from "pg";
import { silentLogger } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { SHARED_POSTGRES, serviceAvailable, temporaryDatabase } from "../../../test-support/services.js";
import { ServerAuthSettings } from "../src/settings.js";
import type { DurableState } from "../src/state/durable-state.js";
import { openPostgresState } from "../src/state/postgres/index.js";

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs SQL on the shared server's `test` database (ALTER DATABASE, pg_terminate_backend). */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Runs SQL on this database, on a connection of its own (so terminateConnections does not break it for long). */
  sql(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Opens a PostgreSQL state on this database (a pool of its own, like another instance). */
  open(logger?: Logger): Promise<DurableState>;
  /** Ends every connection of other clients to this database (as a server restart does) but those of `spare` (backend pids), returning how many. */
  terminateConnections(spare?: readonly number[]): Promise<number>;
  /** Closes what `open` opened, then drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database `pico_test_<random>` on the shared server, or undefined when it is not running and
 * CI is not set (the calling file then skips, and serviceAvailable says so). Under CI=true a missing
 * server fails.
 */
export async function createTestDatabase(): Promise<TestDatabase | undefined> {
  if (!serviceAvailable("postgres")) return undefined;
  const database = temporaryDatabase();
  const admin = new pg.Client({ connectionString: SHARED_POSTGRES });
  await admin.connect();
  admin.on("error", () => undefined);
  const opened: DurableState[] = [];
  const run = (sql: string, params?: unknown[]) => admin.query(sql, params);
  return {
    name: database.name,
    url: database.url,
    admin: run,
    sql: async (sql, params) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return await client.query(sql, params);
      } finally {
        await client.end();
      }
    },
    open: async (logger = silentLogger) => {
      const state = await openPostgresState(settingsFor(database.url), logger);
      opened.push(state);
      return state;
    },
    terminateConnections: async (spare = []) =>
      (await run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> ALL($2::int[])", [database.name, spare]))
        .rowCount ?? 0,
    drop: async () => {
      await Promise.allSettled(opened.map((state) => state.close()));
      await admin.end();
      database.drop();
    },
  };
}

export function settingsFor(postgresUrl: string): ServerAuthSettings {
  return Object.assign(new ServerAuthSettings(), { store: "postgres", postgresUrl });
}

/** A logger that keeps every line, for tests that look at what was logged. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields, errorFields)}` : ""}`);
  return { lines, debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") };
}

/** JSON.stringify drops an Error's own fields: keep message, cause and every enumerable one. */
function errorFields(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { ...value, name: value.name, message: value.message, stack: value.stack, cause: (value as { cause?: unknown }).cause };
}

/**
 * A TCP proxy to the test server whose traffic can be frozen: a server that stops answering without
 * closing its sockets (a hung host, a network partition), which only client-side timeouts notice.
 */
export async function freezableProxy(target: URL): Promise<{ url(database: string): string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const { createServer, connect } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
      if (frozen) socket.pause();
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (database) => {
      const url = new URL(target.href);
      url.host = `127.0.0.1:${port}`;
      url.pathname = `/${database}`;
      return url.href;
    },
    freeze: () => {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw: () => {
      frozen = false;
      for (const socket of sockets) socket.resume();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { silentLogger } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { ServerAuthConfigurationError } from "../../errors.js";
import { PostgresDatabase } from "./database.js";
import type { Queryable } from "./database.js";
import { TABLES, migrate } from "./migrations.js";
import { postgresUrlProblem } from "./url.js";

/** SQLite schema versions this copy reads (store/sqlite-schema.ts; 3 added the revocation feed). */
const SQLITE_VERSIONS = { first: 2, last: 3 } as const;
/** Rows per INSERT: big enough to be quick, small enough for one statement's parameters. */
const CHUNK = 2_000;
/** One copy statement may take long on a big store. */
const COPY_STATEMENT_TIMEOUT = "5min";

export interface CopyOptions {
  /** Replaces what the target holds (deletes it first, in the same transaction); without it a non-empty target is refused. */
  readonly force?: boolean;
  /** Revocation feed entries are the unexpired access tokens of revoked sessions at this time (seconds); default now. */
  readonly now?: number;
  readonly logger?: Logger;
}

/** How many of each were copied; verified against the target inside the copy's transaction. */
export interface CopyReport {
  readonly signingKeys: number;
  readonly bindings: number;
  readonly families: number;
  readonly refreshTokens: number;
  readonly accessTokens: number;
  readonly feedEntries: number;
  readonly adminCredential: number;
  readonly meta: number;
}

type Row = Record<string, string | number | null>;

interface Source {
  readonly signingKeys: Row[];
  readonly bindings: Row[];
  readonly families: Row[];
  readonly refreshTokens: Row[];
  readonly accessTokens: Row[];
  readonly feed: Row[];
  readonly admin: Row[];
  readonly meta: Row[];
}

/**
 * Copies a SQLite store (`sqlitePath`: its data_dir or its auth.db) into the PostgreSQL store at
 * `postgresUrl`, in one PostgreSQL transaction: every signing key (still sealed as stored), address
 * binding, session family, refresh token hash, access token, the revocation feed, the admin credential
 * and the first-signing-key record. The target is migrated first; one that holds anything is refused
 * unless `force`. Counts are checked before commit: on any mismatch nothing is written. Stop the
 * instances using the SQLite store first: what they write after the copy's snapshot is not copied.
 */
export async function copySqliteToPostgres(sqlitePath: string, postgresUrl: string, options: CopyOptions = {}): Promise<CopyReport> {
  const problem = postgresUrlProblem(postgresUrl);
  if (problem !== undefined) throw new ServerAuthConfigurationError(`the target PostgreSQL URL ${problem}`);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const source = readSqlite(sqlitePath, now);
  const db = new PostgresDatabase(postgresUrl, options.logger ?? silentLogger, { poolSize: 1 });
  try {
    await migrate(db);
    return await db.transaction("copy", async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = '${COPY_STATEMENT_TIMEOUT}'`);
      await emptyTarget(tx, db.shownUrl, options.force === true);
      await write(tx, source);
      return verify(tx, source);
    });
  } finally {
    await db.close();
  }
}

function readSqlite(path: string, now: number): Source {
  const file = isDirectory(path) ? join(path, "auth.db") : path;
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ServerAuthConfigurationError(`cannot open the SQLite store ${file}: ${(error as Error).message}`);
  }
  try {
    const version = sqlite.pragma("user_version", { simple: true }) as number;
    if (version < SQLITE_VERSIONS.first) {
      throw new ServerAuthConfigurationError(`${file} has schema version ${version}: start this pico-server-auth once on it (it upgrades the file), stop it, then copy`);
    }
    if (version > SQLITE_VERSIONS.last) {
      throw new ServerAuthConfigurationError(`${file} has schema version ${version}, newer than this copy reads (up to ${SQLITE_VERSIONS.last}): use the pico-server-auth that wrote it`);
    }
    const all = (sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as Row[];
    // One read transaction: a consistent snapshot even if a process still writes (WAL).
    return sqlite.transaction(
      (): Source => ({
        signingKeys: all("SELECT kid, alg, material, created_at, retired_at FROM signing_keys ORDER BY seq"),
        bindings: all("SELECT address, algorithm, public_key FROM address_bindings ORDER BY address"),
        families: all("SELECT id, sub, role, claims, current_hash, expires_at, started_at, stamp, revoked_at FROM refresh_families ORDER BY id"),
        refreshTokens: all("SELECT hash, family_id FROM refresh_tokens ORDER BY hash"),
        accessTokens: all("SELECT family_id, jti, exp FROM access_tokens ORDER BY seq"),
        // What the feed must list: every unexpired access token of a revoked session, in issue order.
        feed: all(
          "SELECT jti, exp FROM access_tokens WHERE family_id IN (SELECT id FROM refresh_families WHERE revoked_at IS NOT NULL) AND exp > ? ORDER BY seq",
          now,
        ),
        admin: all("SELECT id, hash, generation FROM admin_credential"),
        meta: all("SELECT name, value FROM store_meta WHERE name = 'first_signing_key'"),
      }),
    )();
  } finally {
    sqlite.close();
  }
}

async function emptyTarget(tx: Queryable, shownUrl: string, force: boolean): Promise<void> {
  const held = await counts(tx);
  // store_id alone is what migrating an empty database writes.
  const used = Object.entries(held).filter(([table, count]) => count > (table === "pico_auth_meta" ? 1 : 0));
  if (used.length === 0) return;
  if (!force) {
    const list = used.map(([table, count]) => `${table}: ${count}`).join(", ");
    throw new ServerAuthConfigurationError(`the PostgreSQL store at ${shownUrl} is not empty (${list}); copy into an empty database, or pass --force to replace what it holds`);
  }
  // A new store_id too (migrate writes it again below): running instances' revocation cursors start over.
  await tx.query(`TRUNCATE ${TABLES.join(", ")} RESTART IDENTITY`);
  await tx.query("INSERT INTO pico_auth_meta (name, value) VALUES ('store_id', gen_random_uuid()::text)");
}

async function write(tx: Queryable, s: Source): Promise<void> {
  await insert(tx, "pico_auth_signing_keys", { kid: "text", alg: "text", material: "text", created_at: "int8", retired_at: "int8" }, s.signingKeys);
  await insert(tx, "pico_auth_address_bindings", { address: "text", algorithm: "text", public_key: "text" }, s.bindings);
  await insert(
    tx,
    "pico_auth_refresh_families",
    { id: "text", sub: "text", role: "text", claims: "text", current_hash: "text", expires_at: "int8", started_at: "int8", stamp: "text", revoked_at: "int8" },
    s.families,
  );
  await insert(tx, "pico_auth_refresh_tokens", { hash: "text", family_id: "text" }, s.refreshTokens);
  await insert(tx, "pico_auth_access_tokens", { family_id: "text", jti: "text", exp: "int8" }, s.accessTokens);
  await insert(tx, "pico_auth_revocation_feed", { jti: "text", exp: "int8" }, s.feed);
  await insert(tx, "pico_auth_admin_credential", { id: "int4", hash: "text", generation: "int4" }, s.admin);
  await insert(tx, "pico_auth_meta", { name: "text", value: "text" }, s.meta);
}

/**
 * Inserts `rows` in chunks, one array parameter per column (unnest keeps their order, so the
 * identity columns number them as the source did).
 */
async function insert(tx: Queryable, table: string, columns: Record<string, "text" | "int8" | "int4">, rows: readonly Row[]): Promise<void> {
  const names = Object.keys(columns);
  const arrays = names.map((name, i) => `$${i + 1}::${columns[name]}[]`).join(", ");
  const sql = `INSERT INTO ${table} (${names.join(", ")}) SELECT ${names.join(", ")} FROM unnest(${arrays}) WITH ORDINALITY AS r(${names.join(", ")}, n) ORDER BY n`;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    await tx.query(sql, names.map((name) => chunk.map((row) => row[name] ?? null)));
  }
}

async function verify(tx: Queryable, s: Source): Promise<CopyReport> {
  const report: CopyReport = {
    signingKeys: s.signingKeys.length,
    bindings: s.bindings.length,
    families: s.families.length,
    refreshTokens: s.refreshTokens.length,
    accessTokens: s.accessTokens.length,
    feedEntries: s.feed.length,
    adminCredential: s.admin.length,
    // The target's own store_id besides what was copied.
    meta: s.meta.length + 1,
  };
  const expected: Record<(typeof TABLES)[number], number> = {
    pico_auth_signing_keys: report.signingKeys,
    pico_auth_address_bindings: report.bindings,
    pico_auth_refresh_families: report.families,
    pico_auth_refresh_tokens: report.refreshTokens,
    pico_auth_access_tokens: report.accessTokens,
    pico_auth_revocation_feed: report.feedEntries,
    pico_auth_admin_credential: report.adminCredential,
    pico_auth_meta: report.meta,
  };
  const held = await counts(tx);
  const wrong = TABLES.filter((table) => held[table] !== expected[table]);
  if (wrong.length > 0) {
    // Thrown inside the transaction: it rolls back, the target stays as it was.
    throw new Error(`copy verification failed, nothing written: ${wrong.map((t) => `${t} holds ${held[t]}, expected ${expected[t]}`).join("; ")}`);
  }
  return { ...report, meta: s.meta.length };
}

async function counts(tx: Queryable): Promise<Record<(typeof TABLES)[number], number>> {
  const { rows } = await tx.query<Record<(typeof TABLES)[number], number>>(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(", ")}`);
  if (!rows[0]) throw new Error("counting the PostgreSQL store's rows returned nothing");
  return rows[0];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

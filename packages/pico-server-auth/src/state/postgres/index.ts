/**
 * The PostgreSQL backend of the durable ports (`server_auth.store: postgres`), loaded by dynamic
 * import so `pg` loads only when used.
 * @module pico-server-auth/postgres
 */
import type { Logger } from "pico-ioc";
import { ServerAuthConfigurationError } from "../../errors.js";
import type { ServerAuthSettings } from "../../settings.js";
import type { DurableState } from "../durable-state.js";
import { PostgresAdminCredentialStore } from "./admin-credential-store.js";
import { PostgresBindingStore } from "./binding-store.js";
import { PostgresChangeSignal } from "./change-signal.js";
import { PostgresDatabase } from "./database.js";
import { migrate } from "./migrations.js";
import { PostgresRevocationStore } from "./revocation-store.js";
import { PostgresSessionStore } from "./session-store.js";
import { PostgresSigningKeyStore } from "./signing-key-store.js";
import { postgresUrlProblem } from "./url.js";

/**
 * Opens the store at `settings.postgres_url`: migrates its schema (once, however many instances boot
 * at once), then returns every durable port over one pool, with LISTEN/NOTIFY as the change signal.
 * A database that cannot be reached fails with StoreUnavailableError; one of a newer schema version
 * with ServerAuthConfigurationError. Nothing shown carries the URL's password.
 */
export async function openPostgresState(settings: ServerAuthSettings, logger: Logger): Promise<DurableState> {
  const url = settings.postgresUrl;
  if (url === undefined) throw new ServerAuthConfigurationError("server_auth.store = postgres needs server_auth.postgres_url (env SERVER_AUTH__POSTGRES_URL)");
  const problem = postgresUrlProblem(url);
  if (problem !== undefined) throw new ServerAuthConfigurationError(`server_auth.postgres_url ${problem}`);
  const db = new PostgresDatabase(url, logger);
  try {
    const version = await migrate(db);
    const storeId = await db.run("open", async (q) => (await q.query<{ value: string }>("SELECT value FROM pico_auth_meta WHERE name = 'store_id'")).rows[0]?.value);
    if (storeId === undefined) throw new Error("pico_auth_meta has no store_id right after migrating");
    const signal = await PostgresChangeSignal.open(db, url, logger);
    logger.info(`pico-server-auth: PostgreSQL store at ${db.shownUrl} (schema version ${version})`);
    return {
      kind: "postgres",
      signingKeys: new PostgresSigningKeyStore(db),
      bindings: new PostgresBindingStore(db),
      sessions: new PostgresSessionStore(db),
      revocations: new PostgresRevocationStore(db, storeId),
      admin: new PostgresAdminCredentialStore(db),
      signal,
      check: () => db.run("check", async (q) => void (await q.query("SELECT 1"))),
      close: async () => {
        await signal.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export { copySqliteToPostgres } from "./copy-from-sqlite.js";
export type { CopyOptions, CopyReport } from "./copy-from-sqlite.js";
export { POSTGRES_TIMEOUTS } from "./database.js";
export { postgresUrlProblem, redactPostgresUrl } from "./url.js";

import Database from "better-sqlite3";
import { StoreUnavailableError } from "../errors.js";
import type { AddressBinding, BindingStore } from "../bindings/binding-store.js";
import type { SigningKeyStore, StoredSigningKey } from "../keys/signing-key-store.js";
import type { AdminCredential, AdminCredentialStore } from "../login/admin-credential-store.js";
import type { RevocationChanges, RevocationStore } from "../sessions/revocation-store.js";
import type { IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, SessionStore } from "../sessions/session-store.js";
import { GroupCommit } from "./group-commit.js";
import { readLegacyBindings, readLegacyKey } from "./legacy-files.js";
import type { KidOf } from "./legacy-files.js";
import { BUSY_TIMEOUT_MS, configure, createPrivateFile, forgetConnection, openRetryingBusy, rememberConnection } from "./sqlite-connection.js";
import { asStoreFailure } from "./sqlite-failure.js";
import { migrate } from "./sqlite-schema.js";
import { operations } from "./sqlite-operations.js";
import type { Operations } from "./sqlite-operations.js";

/**
 * The store in one SQLite file (WAL, `synchronous = FULL`): a call resolves only after its transaction
 * is on disk. Calls made in the same event-loop turn share one transaction (GroupCommit), so
 * concurrent sign-ins share one disk sync. Several processes may open the same file; writers wait
 * for each other's lock. One object serves every durable port (SIGNING_KEY_STORE, BINDING_STORE,
 * SESSION_STORE, REVOCATION_STORE, ADMIN_CREDENTIAL_STORE) over that one connection.
 */
export class SqliteAuthStore implements SigningKeyStore, BindingStore, SessionStore, RevocationStore, AdminCredentialStore {
  readonly path: string;
  #db: Database.Database | undefined;
  #ops: Operations | undefined;
  readonly #commits: GroupCommit;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#ops = operations(db);
    this.#commits = new GroupCommit(db);
    rememberConnection(this, db);
  }

  /**
   * Opens (creating if need be) the database at `path`; a new parent directory gets mode 0700, a new
   * file 0600. `synchronous`: "full" (default) syncs every commit to disk, so it survives power loss;
   * "normal" syncs at checkpoints only: a commit still survives a killed process, not a lost machine.
   * A damaged file (a failed integrity check included), a full disk or an I/O error fails with a
   * StoreUnavailableError, as every call does later.
   */
  static open(path: string, options: { readonly synchronous?: "full" | "normal" } = {}): SqliteAuthStore {
    createPrivateFile(path);
    return openRetryingBusy(() => {
      let db: Database.Database | undefined;
      try {
        db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
        configure(db, path, options.synchronous ?? "full");
        checkIntegrity(db, path);
        migrate(db, path);
        return new SqliteAuthStore(path, db);
      } catch (error) {
        db?.close();
        throw asStoreFailure(error);
      }
    });
  }

  signingKeys(): Promise<StoredSigningKey[]> {
    return this.#run("signingKeys", (ops) => ops.signingKeys());
  }

  addSigningKey(key: StoredSigningKey, expectedActive: string | undefined): Promise<boolean> {
    return this.#run("addSigningKey", (ops) => ops.addSigningKey(key, expectedActive));
  }

  deleteSigningKey(kid: string): Promise<void> {
    return this.#run("deleteSigningKey", (ops) => ops.deleteSigningKey(kid));
  }

  firstSigningKey(): Promise<string | undefined> {
    return this.#run("firstSigningKey", (ops) => ops.firstSigningKey());
  }

  binding(address: string): Promise<AddressBinding | undefined> {
    return this.#run("binding", (ops) => ops.binding(address));
  }

  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    return this.#run("bindAddress", (ops) => ops.bindAddress(address, binding));
  }

  unbindAddress(address: string): Promise<boolean> {
    return this.#run("unbindAddress", (ops) => ops.unbindAddress(address));
  }

  moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean> {
    return this.#run("moveAddress", (ops) => ops.moveAddress(address, from, to));
  }

  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    return this.#run("createFamily", (ops) => ops.createFamily(family, access));
  }

  redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    return this.#run("redeemRefresh", (ops) => ops.redeemRefresh(tokenHash, next, access, now));
  }

  recordAccess(familyId: string, access: IssuedAccessToken): Promise<boolean> {
    return this.#run("recordAccess", (ops) => ops.recordAccess(familyId, access));
  }

  familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined> {
    return this.#run("familyOfRefresh", (ops) => ops.familyOfRefresh(tokenHash));
  }

  revokeFamily(familyId: string, now: number): Promise<boolean> {
    return this.#run("revokeFamily", (ops) => ops.revokeFamily(familyId, now));
  }

  revokeSubject(sub: string, now: number, keepStamp?: string): Promise<number> {
    return this.#run("revokeSubject", (ops) => ops.revokeSubject(sub, now, keepStamp));
  }

  family(familyId: string): Promise<RefreshFamily | undefined> {
    return this.#run("family", (ops) => ops.family(familyId));
  }

  revokedSince(cursor: string | undefined, now: number): Promise<RevocationChanges> {
    return this.#run("revokedSince", (ops) => ops.revokedSince(cursor, now));
  }

  prune(now: number): Promise<void> {
    return this.#run("prune", (ops) => ops.prune(now));
  }

  adminCredential(): Promise<AdminCredential | undefined> {
    return this.#run("adminCredential", (ops) => ops.adminCredential());
  }

  saveAdminCredential(hash: string): Promise<number> {
    return this.#run("saveAdminCredential", (ops) => ops.saveAdminCredential(hash));
  }

  /**
   * When `server_auth.reinitialize_store` created this store, or undefined (store_meta
   * `reinitialized_at`; the marker carries it too once written). See checked-open.ts: while it is
   * recorded, the setting does not reset this store again.
   */
  reinitializedAt(): Promise<string | undefined> {
    return this.#run("reinitializedAt", (ops) => ops.meta("reinitialized_at"));
  }

  /** Records (an ISO time) or clears (undefined) that `server_auth.reinitialize_store` created this store. */
  setReinitializedAt(at: string | undefined): Promise<void> {
    return this.#run("setReinitializedAt", (ops) => ops.setMeta("reinitialized_at", at));
  }

  /**
   * Brings over what an earlier version kept as files in `dir` (`signing-key.json`,
   * `wallet-bindings.jsonl`), only into a database that has no key and no binding yet, in one
   * transaction; the files are left in place. Returns what was imported, or undefined when nothing was.
   */
  async importLegacyFiles(dir: string, kidOf: KidOf): Promise<string | undefined> {
    // Checked first so that a database in use never reads the files or computes a kid again.
    if (!(await this.#run("importLegacyFiles", (ops) => ops.isEmpty()))) return undefined;
    const key = await readLegacyKey(dir, kidOf);
    const bindings = await readLegacyBindings(dir);
    if (!key && bindings.length === 0) return undefined;
    // Emptiness is checked again inside the transaction: another process may have started meanwhile.
    const bound = await this.#run("importLegacyFiles", (ops) => ops.importLegacy(key, bindings));
    if (bound === undefined) return undefined;
    const parts = [...(key ? [`the ${key.alg} signing key`] : []), ...(bindings.length > 0 ? [`${bound} address binding${bound === 1 ? "" : "s"}`] : [])];
    return parts.join(" and ");
  }

  async close(): Promise<void> {
    this.#commits.flush();
    const db = this.#db;
    this.#db = undefined;
    this.#ops = undefined;
    forgetConnection(this);
    db?.close();
  }

  #run<T>(method: string, call: (ops: Operations) => T): Promise<T> {
    const ops = this.#ops;
    if (!ops) return Promise.reject(this.#closedError(method));
    // A full disk or a failing disk is a 503 for the caller, never a server bug's 500.
    return this.#commits.run(() => call(ops)).catch((error: unknown) => Promise.reject(asStoreFailure(error)));
  }

  #closedError(method: string): Error {
    return new Error(`SqliteAuthStore.${method}() was called after close() on ${this.path}; open the store again to use it`);
  }
}

/**
 * `PRAGMA quick_check`, not `integrity_check`: it walks every page and b-tree (what a torn write or
 * bytes written over the file break) but skips matching each index against its table, so it costs a
 * fraction of the time: on a store of 100,000 sessions and bindings (96 MB), 115-280 ms against
 * 0.5-1.5 s for integrity_check (runs on a shared 2-core machine). It runs at every open, so restarts stay quick.
 */
function checkIntegrity(db: Database.Database, path: string): void {
  const problems = (db.pragma("quick_check") as { quick_check: string }[]).map((row) => row.quick_check);
  if (problems.length === 1 && problems[0] === "ok") return;
  const shown = problems.slice(0, 3).join("; ") + (problems.length > 3 ? `; and ${problems.length - 3} more` : "");
  throw new StoreUnavailableError("database corrupt", { cause: new Error(`PRAGMA quick_check on ${path} found: ${shown}`) });
}

export type { KidOf } from "./legacy-files.js";

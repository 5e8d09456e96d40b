import Database from "better-sqlite3";
import { StoreUnavailableError } from "../errors.js";
import type { AddressBinding, AdminCredential, AuthStore, IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./auth-store.js";
import { GroupCommit } from "./group-commit.js";
import { readLegacyBindings, readLegacyKey } from "./legacy-files.js";
import type { KidOf, LegacyBinding } from "./legacy-files.js";
import { BUSY_TIMEOUT_MS, configure, createPrivateFile, forgetConnection, rememberConnection } from "./sqlite-connection.js";
import { asStoreFailure } from "./sqlite-failure.js";
import { migrate } from "./sqlite-schema.js";

interface KeyRow {
  kid: string;
  alg: string;
  material: string;
  created_at: number;
  retired_at: number | null;
}

interface FamilyRow {
  id: string;
  sub: string;
  role: string;
  claims: string;
  current_hash: string;
  expires_at: number;
  started_at: number;
  stamp: string | null;
  revoked_at: number | null;
}

type Operations = ReturnType<typeof operations>;

/**
 * The store in one SQLite file (WAL, `synchronous = FULL`): a call resolves only after its transaction
 * is on disk. Calls made in the same event-loop turn share one transaction (GroupCommit), so
 * concurrent sign-ins share one disk sync. Several processes may open the same file; writers wait
 * for each other's lock.
 */
export class SqliteAuthStore implements AuthStore {
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
  }

  signingKeys(): Promise<StoredSigningKey[]> {
    return this.#run("signingKeys", (ops) => ops.signingKeys());
  }

  addSigningKey(key: StoredSigningKey): Promise<void> {
    return this.#run("addSigningKey", (ops) => ops.addSigningKey(key));
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

  revokedAccessTokens(now: number): Promise<IssuedAccessToken[]> {
    return this.#run("revokedAccessTokens", (ops) => ops.revokedAccessTokens(now));
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

/**
 * Every method as prepared statements, prepared once. Atomicity comes from GroupCommit, which runs
 * every call inside an IMMEDIATE transaction (across processes a read then never goes stale before
 * its write; a DEFERRED upgrade would fail with SQLITE_BUSY instead of waiting), in a savepoint of
 * its own: a method of several statements holds or fails as a whole.
 */
function operations(db: Database.Database) {
  const keys = db.prepare<[], KeyRow>("SELECT kid, alg, material, created_at, retired_at FROM signing_keys ORDER BY seq");
  const retireKeys = db.prepare<[number]>("UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL");
  const insertKey = db.prepare<[KeyRow]>("INSERT INTO signing_keys (kid, alg, material, created_at, retired_at) VALUES (@kid, @alg, @material, @created_at, @retired_at)");
  const deleteKey = db.prepare<[string]>("DELETE FROM signing_keys WHERE kid = ?");
  const insertBinding = db.prepare<[string, string, string]>("INSERT INTO address_bindings (address, algorithm, public_key) VALUES (?, ?, ?) ON CONFLICT (address) DO NOTHING");
  const binding = db.prepare<[string], AddressBinding>("SELECT algorithm, public_key AS publicKey FROM address_bindings WHERE address = ?");
  const deleteBinding = db.prepare<[string]>("DELETE FROM address_bindings WHERE address = ?");
  const moveBinding = db.prepare<[string, string, string, string, string]>(
    "UPDATE address_bindings SET algorithm = ?, public_key = ? WHERE address = ? AND algorithm = ? AND public_key = ?",
  );
  const insertFamily = db.prepare<[FamilyRow]>(
    "INSERT INTO refresh_families (id, sub, role, claims, current_hash, expires_at, started_at, stamp, revoked_at) VALUES (@id, @sub, @role, @claims, @current_hash, @expires_at, @started_at, @stamp, @revoked_at)",
  );
  const insertRefresh = db.prepare<[string, string]>("INSERT INTO refresh_tokens (hash, family_id) VALUES (?, ?)");
  const family = db.prepare<[string], FamilyRow>("SELECT * FROM refresh_families WHERE id = ?");
  const familyOfRefresh = db.prepare<[string], FamilyRow>("SELECT f.* FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?");
  const rotate = db.prepare<[string, number, string], FamilyRow>("UPDATE refresh_families SET current_hash = ?, expires_at = ? WHERE id = ? RETURNING *");
  // coalesce keeps the first revocation time; `changes` still counts the row, so it tells whether the family exists.
  const revoke = db.prepare<[number, string]>("UPDATE refresh_families SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?");
  // `stamp IS NOT @keep` is false only for an equal stamp, so unstamped families are revoked too.
  const revokeSubject = db.prepare<[{ now: number; sub: string; keep: string | null }]>(
    "UPDATE refresh_families SET revoked_at = @now WHERE sub = @sub AND revoked_at IS NULL AND (@keep IS NULL OR stamp IS NOT @keep)",
  );
  const insertAccess = db.prepare<[string, string, number]>("INSERT INTO access_tokens (family_id, jti, exp) VALUES (?, ?, ?)");
  // IN, not JOIN: without statistics the planner scans every access token for a JOIN; this form walks
  // the partial index of revoked families, then each one's tokens (100,000 families: 0.9 ms, not 190 ms).
  const revokedAccess = db.prepare<[number], IssuedAccessToken>(
    "SELECT jti, exp FROM access_tokens WHERE family_id IN (SELECT id FROM refresh_families WHERE revoked_at IS NOT NULL) AND exp > ? ORDER BY seq",
  );
  const pruneAccess = db.prepare<[number]>("DELETE FROM access_tokens WHERE exp <= ?");
  // refresh_tokens rows go with their family (ON DELETE CASCADE).
  const pruneFamilies = db.prepare<[number]>("DELETE FROM refresh_families WHERE expires_at <= ? AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = refresh_families.id)");
  const adminCredential = db.prepare<[], AdminCredential>("SELECT hash, generation FROM admin_credential WHERE id = 1");
  const saveAdmin = db.prepare<[string], { generation: number }>(
    "INSERT INTO admin_credential (id, hash, generation) VALUES (1, ?, 1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, generation = generation + 1 RETURNING generation",
  );
  const rememberFirstKey = db.prepare<[string]>("INSERT INTO store_meta (name, value) VALUES ('first_signing_key', ?) ON CONFLICT (name) DO NOTHING");
  const meta = db.prepare<[string], { value: string }>("SELECT value FROM store_meta WHERE name = ?");
  const setMeta = db.prepare<[string, string]>("INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  const deleteMeta = db.prepare<[string]>("DELETE FROM store_meta WHERE name = ?");
  const used = db.prepare<[], { used: number }>("SELECT EXISTS (SELECT 1 FROM signing_keys) OR EXISTS (SELECT 1 FROM address_bindings) AS used");

  const bindAddress = (address: string, { algorithm, publicKey }: AddressBinding): AddressBinding => {
    insertBinding.run(address, algorithm, publicKey);
    const held = binding.get(address);
    if (!held) throw new Error(`address_bindings has no row for ${address} right after inserting it`);
    return { algorithm: held.algorithm, publicKey: held.publicKey };
  };
  const addSigningKey = (key: StoredSigningKey): void => {
    retireKeys.run(key.createdAt);
    insertKey.run({ kid: key.kid, alg: key.alg, material: key.material, created_at: key.createdAt, retired_at: key.retiredAt ?? null });
    rememberFirstKey.run(key.kid);
  };
  const isEmpty = (): boolean => used.get()?.used === 0;

  return {
    signingKeys: (): StoredSigningKey[] => keys.all().map(toKey),
    addSigningKey,
    deleteSigningKey: (kid: string): void => void deleteKey.run(kid),
    bindAddress,
    firstSigningKey: (): string | undefined => meta.get("first_signing_key")?.value,
    binding: (address: string): AddressBinding | undefined => {
      const held = binding.get(address);
      return held && { algorithm: held.algorithm, publicKey: held.publicKey };
    },
    unbindAddress: (address: string): boolean => deleteBinding.run(address).changes > 0,
    moveAddress: (address: string, from: AddressBinding, to: AddressBinding): boolean =>
      moveBinding.run(to.algorithm, to.publicKey, address, from.algorithm, from.publicKey).changes > 0,
    // An existing id fails (primary key): replacing a family could un-revoke it.
    createFamily: (f: RefreshFamily, access: IssuedAccessToken): void => {
      insertFamily.run({
        id: f.id,
        sub: f.sub,
        role: f.role,
        claims: JSON.stringify(f.claims),
        current_hash: f.currentHash,
        expires_at: f.expiresAt,
        started_at: f.startedAt,
        stamp: f.stamp ?? null,
        revoked_at: f.revokedAt ?? null,
      });
      insertRefresh.run(f.currentHash, f.id);
      insertAccess.run(f.id, access.jti, access.exp);
    },
    redeemRefresh: (tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): RedeemOutcome => {
      const row = familyOfRefresh.get(tokenHash);
      if (!row) return { outcome: "unknown" };
      if (row.revoked_at !== null) return { outcome: "revoked" };
      if (row.current_hash !== tokenHash) {
        revoke.run(now, row.id);
        return { outcome: "reused" };
      }
      if (row.expires_at <= now) return { outcome: "expired" };
      const rotated = rotate.get(next.hash, next.expiresAt, row.id);
      if (!rotated) throw new Error(`refresh_families has no row ${row.id} right after reading it`);
      insertRefresh.run(next.hash, row.id);
      insertAccess.run(row.id, access.jti, access.exp);
      return { outcome: "rotated", family: toFamily(rotated) };
    },
    familyOfRefresh: (tokenHash: string): RefreshFamily | undefined => {
      const row = familyOfRefresh.get(tokenHash);
      return row && toFamily(row);
    },
    revokeFamily: (familyId: string, now: number): boolean => revoke.run(now, familyId).changes > 0,
    revokeSubject: (sub: string, now: number, keepStamp?: string): number => revokeSubject.run({ now, sub, keep: keepStamp ?? null }).changes,
    family: (familyId: string): RefreshFamily | undefined => {
      const row = family.get(familyId);
      return row && toFamily(row);
    },
    adminCredential: (): AdminCredential | undefined => {
      const row = adminCredential.get();
      return row && { hash: row.hash, generation: row.generation };
    },
    saveAdminCredential: (hash: string): number => {
      const held = adminCredential.get();
      if (held?.hash === hash) return held.generation;
      const saved = saveAdmin.get(hash);
      if (!saved) throw new Error("admin_credential returned no row right after saving it");
      return saved.generation;
    },
    revokedAccessTokens: (now: number): IssuedAccessToken[] => revokedAccess.all(now).map(({ jti, exp }) => ({ jti, exp })),
    prune: (now: number): void => {
      pruneAccess.run(now);
      pruneFamilies.run(now);
    },
    meta: (name: string): string | undefined => meta.get(name)?.value,
    setMeta: (name: string, value: string | undefined): void => void (value === undefined ? deleteMeta.run(name) : setMeta.run(name, value)),
    isEmpty,
    /** Imports unless the database is no longer empty; returns how many bindings were new, or undefined. */
    importLegacy: (key: StoredSigningKey | undefined, bindings: readonly LegacyBinding[]): number | undefined => {
      if (!isEmpty()) return undefined;
      if (key) addSigningKey(key);
      let bound = 0;
      for (const { address, algorithm, publicKey } of bindings) bound += insertBinding.run(address, algorithm, publicKey).changes;
      return bound;
    },
  };
}

function toKey(row: KeyRow): StoredSigningKey {
  const key = { kid: row.kid, alg: row.alg, material: row.material, createdAt: row.created_at };
  return row.retired_at === null ? key : { ...key, retiredAt: row.retired_at };
}

function toFamily(row: FamilyRow): RefreshFamily {
  const family = {
    id: row.id,
    sub: row.sub,
    role: row.role,
    claims: JSON.parse(row.claims) as Record<string, unknown>,
    currentHash: row.current_hash,
    expiresAt: row.expires_at,
    startedAt: row.started_at,
    ...(row.stamp === null ? {} : { stamp: row.stamp }),
  };
  return row.revoked_at === null ? family : { ...family, revokedAt: row.revoked_at };
}
export type { KidOf } from "./legacy-files.js";

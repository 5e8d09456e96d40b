import type Database from "better-sqlite3";
import type { AddressBinding } from "../bindings/binding-store.js";
import type { StoredSigningKey } from "../keys/signing-key-store.js";
import type { AdminCredential } from "../login/admin-credential-store.js";
import type { LegacyBinding } from "./legacy-files.js";
import { sessionOperations } from "./sqlite-session-operations.js";
import { toKey } from "../state/stored-rows.js";
import type { KeyRow } from "../state/stored-rows.js";

export type Operations = ReturnType<typeof operations>;

/**
 * Every method of SqliteAuthStore as prepared statements, prepared once. Atomicity comes from
 * GroupCommit, which runs every call inside an IMMEDIATE transaction (across processes a read then
 * never goes stale before its write: the compare-and-set of addSigningKey holds between processes;
 * a DEFERRED upgrade would fail with SQLITE_BUSY instead of waiting), in a savepoint of its own: a
 * method of several statements holds or fails as a whole.
 */
export function operations(db: Database.Database) {
  const keys = db.prepare<[], KeyRow>("SELECT kid, alg, material, created_at, retired_at FROM signing_keys ORDER BY seq");
  const activeKid = db.prepare<[], { kid: string }>("SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY seq DESC LIMIT 1");
  const retireKeys = db.prepare<[number]>("UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL");
  const insertKey = db.prepare<[KeyRow]>("INSERT INTO signing_keys (kid, alg, material, created_at, retired_at) VALUES (@kid, @alg, @material, @created_at, @retired_at)");
  const deleteKey = db.prepare<[string]>("DELETE FROM signing_keys WHERE kid = ?");
  const insertBinding = db.prepare<[string, string, string]>("INSERT INTO address_bindings (address, algorithm, public_key) VALUES (?, ?, ?) ON CONFLICT (address) DO NOTHING");
  const binding = db.prepare<[string], AddressBinding>("SELECT algorithm, public_key AS publicKey FROM address_bindings WHERE address = ?");
  const deleteBinding = db.prepare<[string]>("DELETE FROM address_bindings WHERE address = ?");
  const moveBinding = db.prepare<[string, string, string, string, string]>(
    "UPDATE address_bindings SET algorithm = ?, public_key = ? WHERE address = ? AND algorithm = ? AND public_key = ?",
  );
  const adminCredential = db.prepare<[], AdminCredential>("SELECT hash, generation FROM admin_credential WHERE id = 1");
  const saveAdmin = db.prepare<[string], { generation: number }>(
    "INSERT INTO admin_credential (id, hash, generation) VALUES (1, ?, 1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, generation = generation + 1 RETURNING generation",
  );
  const rememberFirstKey = db.prepare<[string]>("INSERT INTO store_meta (name, value) VALUES ('first_signing_key', ?) ON CONFLICT (name) DO NOTHING");
  const meta = db.prepare<[string], { value: string }>("SELECT value FROM store_meta WHERE name = ?");
  const setMeta = db.prepare<[string, string]>("INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  const deleteMeta = db.prepare<[string]>("DELETE FROM store_meta WHERE name = ?");
  const used = db.prepare<[], { used: number }>("SELECT EXISTS (SELECT 1 FROM signing_keys) OR EXISTS (SELECT 1 FROM address_bindings) AS used");

  const insertSigningKey = (key: StoredSigningKey): void => {
    retireKeys.run(key.createdAt);
    insertKey.run({ kid: key.kid, alg: key.alg, material: key.material, created_at: key.createdAt, retired_at: key.retiredAt ?? null });
    rememberFirstKey.run(key.kid);
  };
  const isEmpty = (): boolean => used.get()?.used === 0;

  return {
    ...sessionOperations(db),
    signingKeys: (): StoredSigningKey[] => keys.all().map(toKey),
    addSigningKey: (key: StoredSigningKey, expectedActive: string | undefined): boolean => {
      if (activeKid.get()?.kid !== expectedActive) return false;
      insertSigningKey(key);
      return true;
    },
    deleteSigningKey: (kid: string): void => void deleteKey.run(kid),
    firstSigningKey: (): string | undefined => meta.get("first_signing_key")?.value,
    bindAddress: (address: string, { algorithm, publicKey }: AddressBinding): AddressBinding => {
      insertBinding.run(address, algorithm, publicKey);
      const held = binding.get(address);
      if (!held) throw new Error(`address_bindings has no row for ${address} right after inserting it`);
      return { algorithm: held.algorithm, publicKey: held.publicKey };
    },
    binding: (address: string): AddressBinding | undefined => {
      const held = binding.get(address);
      return held && { algorithm: held.algorithm, publicKey: held.publicKey };
    },
    unbindAddress: (address: string): boolean => deleteBinding.run(address).changes > 0,
    moveAddress: (address: string, from: AddressBinding, to: AddressBinding): boolean =>
      moveBinding.run(to.algorithm, to.publicKey, address, from.algorithm, from.publicKey).changes > 0,
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
    meta: (name: string): string | undefined => meta.get(name)?.value,
    setMeta: (name: string, value: string | undefined): void => void (value === undefined ? deleteMeta.run(name) : setMeta.run(name, value)),
    isEmpty,
    /** Imports unless the database is no longer empty; returns how many bindings were new, or undefined. */
    importLegacy: (key: StoredSigningKey | undefined, bindings: readonly LegacyBinding[]): number | undefined => {
      if (!isEmpty()) return undefined;
      if (key) insertSigningKey(key);
      let bound = 0;
      for (const { address, algorithm, publicKey } of bindings) bound += insertBinding.run(address, algorithm, publicKey).changes;
      return bound;
    },
  };
}

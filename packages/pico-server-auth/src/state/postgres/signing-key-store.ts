import type { SigningKeyStore, StoredSigningKey } from "../../keys/signing-key-store.js";
import type { PostgresDatabase } from "./database.js";
import { toKey } from "../stored-rows.js";
import type { KeyRow } from "../stored-rows.js";

/** SIGNING_KEY_STORE in PostgreSQL. */
export class PostgresSigningKeyStore implements SigningKeyStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  signingKeys(): Promise<StoredSigningKey[]> {
    return this.#db.run("signingKeys", async (db) => {
      const { rows } = await db.query<KeyRow>("SELECT kid, alg, material, created_at, retired_at FROM pico_auth_signing_keys ORDER BY seq");
      return rows.map(toKey);
    });
  }

  /**
   * The table lock (SHARE ROW EXCLUSIVE conflicts with itself and with every write, not with reads)
   * makes compare-then-add one step across connections: a second caller waits, then reads the first
   * one's key as the active one and returns false. Under READ COMMITTED each statement after the lock
   * sees everything committed before it was granted.
   */
  addSigningKey(key: StoredSigningKey, expectedActive: string | undefined): Promise<boolean> {
    return this.#db.transaction("addSigningKey", async (tx) => {
      await tx.query("LOCK TABLE pico_auth_signing_keys IN SHARE ROW EXCLUSIVE MODE");
      const { rows } = await tx.query<{ kid: string }>("SELECT kid FROM pico_auth_signing_keys WHERE retired_at IS NULL ORDER BY seq DESC LIMIT 1");
      if (rows[0]?.kid !== expectedActive) return false;
      await tx.query("UPDATE pico_auth_signing_keys SET retired_at = $1 WHERE retired_at IS NULL", [key.createdAt]);
      // An existing kid fails here (UNIQUE), rolling the retirement back with it.
      await tx.query("INSERT INTO pico_auth_signing_keys (kid, alg, material, created_at, retired_at) VALUES ($1, $2, $3, $4, $5)", [
        key.kid,
        key.alg,
        key.material,
        key.createdAt,
        key.retiredAt ?? null,
      ]);
      await tx.query("INSERT INTO pico_auth_meta (name, value) VALUES ('first_signing_key', $1) ON CONFLICT (name) DO NOTHING", [key.kid]);
      return true;
    });
  }

  deleteSigningKey(kid: string): Promise<void> {
    return this.#db.run("deleteSigningKey", async (db) => {
      await db.query("DELETE FROM pico_auth_signing_keys WHERE kid = $1", [kid]);
    });
  }

  firstSigningKey(): Promise<string | undefined> {
    return this.#db.run("firstSigningKey", async (db) => {
      const { rows } = await db.query<{ value: string }>("SELECT value FROM pico_auth_meta WHERE name = 'first_signing_key'");
      return rows[0]?.value;
    });
  }
}

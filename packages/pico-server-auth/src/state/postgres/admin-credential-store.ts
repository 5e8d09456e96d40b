import type { AdminCredential, AdminCredentialStore } from "../../login/admin-credential-store.js";
import type { PostgresDatabase } from "./database.js";

/** ADMIN_CREDENTIAL_STORE in PostgreSQL: one row (id 1). */
export class PostgresAdminCredentialStore implements AdminCredentialStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  adminCredential(): Promise<AdminCredential | undefined> {
    return this.#db.run("adminCredential", async (db) => {
      const { rows } = await db.query<AdminCredential>("SELECT hash, generation FROM pico_auth_admin_credential WHERE id = 1");
      return rows[0] && { hash: rows[0].hash, generation: rows[0].generation };
    });
  }

  /**
   * One upsert: a new hash bumps the generation; the same hash updates nothing, but ON CONFLICT still
   * locks the row, so the read after it (same transaction) returns the generation that hash has.
   */
  saveAdminCredential(hash: string): Promise<number> {
    return this.#db.transaction("saveAdminCredential", async (tx) => {
      const saved = await tx.query<{ generation: number }>(
        `INSERT INTO pico_auth_admin_credential AS a (id, hash, generation) VALUES (1, $1, 1)
         ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, generation = a.generation + 1 WHERE a.hash IS DISTINCT FROM excluded.hash
         RETURNING generation`,
        [hash],
      );
      if (saved.rows[0]) return saved.rows[0].generation;
      const { rows } = await tx.query<{ generation: number }>("SELECT generation FROM pico_auth_admin_credential WHERE id = 1");
      if (!rows[0]) throw new Error("pico_auth_admin_credential has no row right after saving it");
      return rows[0].generation;
    });
  }
}

import { afterAll, describe, expect, it } from "vitest";
import { ServerAuthConfigurationError } from "../src/errors.js";
import { MIGRATIONS } from "../src/state/postgres/migrations.js";
import { createTestDatabase } from "./postgres-support.js";

const database = await createTestDatabase();
afterAll(() => database?.drop());

describe.skipIf(!database)("PostgreSQL schema migrations", () => {
  const db = database!;

  it("5 instances opening an empty database at once migrate it once, without an error", async () => {
    const states = await Promise.all(Array.from({ length: 5 }, () => db.open()));
    const { rows } = await db.sql(`SELECT version FROM pico_auth_schema ORDER BY version`);
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
    const ids = await db.sql(`SELECT value FROM pico_auth_meta WHERE name = 'store_id'`);
    expect(ids.rows).toHaveLength(1);
    await Promise.all(states.map((state) => state.check()));
  });

  it("reopening a migrated database applies nothing again", async () => {
    await db.open();
    const { rows } = await db.sql(`SELECT count(*)::int AS steps FROM pico_auth_schema`);
    expect(rows[0]?.steps).toBe(MIGRATIONS.length);
  });

  it("refuses a database of a newer schema version, saying so", async () => {
    await db.sql(`INSERT INTO pico_auth_schema (version) VALUES (99)`);
    try {
      const opening = db.open();
      await expect(opening).rejects.toThrow(ServerAuthConfigurationError);
      await expect(opening).rejects.toThrow(/has schema version 99, but this pico-server-auth knows versions up to 1: a newer version wrote it; upgrade pico-server-auth/);
    } finally {
      await db.sql(`DELETE FROM pico_auth_schema WHERE version = 99`);
    }
  });

});

import { randomBytes } from "node:crypto";
import { afterAll } from "vitest";
import { silentLogger } from "pico-ioc";
import { openPostgresState } from "../src/state/postgres/index.js";
import { durableStateContracts } from "../src/testing/index.js";
import { createTestDatabase, settingsFor } from "./postgres-support.js";

// The shared contract suites of every durable port, on PostgreSQL: each case gets a schema of its own
// in this file's database (empty state), a store and two peers (other pools: other instances).
const database = await createTestDatabase();
afterAll(() => database?.drop());

if (database) {
  durableStateContracts("PostgreSQL", async () => {
    const schema = `contract_${randomBytes(5).toString("hex")}`;
    await database.sql(`CREATE SCHEMA ${schema}`);
    const url = new URL(database.url);
    url.searchParams.set("options", `-c search_path=${schema}`);
    const [store, ...peers] = await Promise.all([0, 1, 2].map(() => openPostgresState(settingsFor(url.href), silentLogger)));
    return {
      store: store!,
      peers,
      close: async () => {
        await Promise.all([store!, ...peers].map((state) => state.close()));
        await database.sql(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  });
}

import type { AddressBinding, BindingStore } from "../../bindings/binding-store.js";
import type { PostgresDatabase, Queryable } from "./database.js";

/** A bind that keeps losing to a concurrent unbind gives up after this many rounds (it never happens in practice). */
const BIND_ROUNDS = 5;

/** BINDING_STORE in PostgreSQL. */
export class PostgresBindingStore implements BindingStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  binding(address: string): Promise<AddressBinding | undefined> {
    return this.#db.run("binding", (db) => held(db, address));
  }

  /**
   * INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the same address and then does
   * nothing; the SELECT after it is a new statement, so (under READ COMMITTED) it sees that winner.
   * Not one statement: a CTE's SELECT would use the snapshot taken before the winner committed.
   */
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    return this.#db.run("bindAddress", async (db) => {
      for (let round = 0; round < BIND_ROUNDS; round++) {
        const { rows } = await db.query<Row>(
          "INSERT INTO pico_auth_address_bindings (address, algorithm, public_key) VALUES ($1, $2, $3) ON CONFLICT (address) DO NOTHING RETURNING algorithm, public_key",
          [address, binding.algorithm, binding.publicKey],
        );
        const bound = rows[0] ? toBinding(rows[0]) : await held(db, address);
        if (bound) return bound;
        // Bound by another call and unbound again between the two statements: try again.
      }
      throw new Error(`bindAddress(${JSON.stringify(address)}) lost to concurrent unbinds ${BIND_ROUNDS} times in a row`);
    });
  }

  unbindAddress(address: string): Promise<boolean> {
    return this.#db.run("unbindAddress", async (db) => ((await db.query("DELETE FROM pico_auth_address_bindings WHERE address = $1", [address])).rowCount ?? 0) > 0);
  }

  moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean> {
    return this.#db.run("moveAddress", async (db) => {
      const { rowCount } = await db.query(
        "UPDATE pico_auth_address_bindings SET algorithm = $1, public_key = $2 WHERE address = $3 AND algorithm = $4 AND public_key = $5",
        [to.algorithm, to.publicKey, address, from.algorithm, from.publicKey],
      );
      return (rowCount ?? 0) > 0;
    });
  }
}

interface Row {
  algorithm: string;
  public_key: string;
}

async function held(db: Queryable, address: string): Promise<AddressBinding | undefined> {
  const { rows } = await db.query<Row>("SELECT algorithm, public_key FROM pico_auth_address_bindings WHERE address = $1", [address]);
  return rows[0] && toBinding(rows[0]);
}

const toBinding = (row: Row): AddressBinding => ({ algorithm: row.algorithm, publicKey: row.public_key });

/** The check with the server stopped: every session and wallet binding the traffic created is in the SQLite store. */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Traffic } from "./traffic.js";

export interface StoreCheck {
  sessionsChecked: number;
  bindingsChecked: number;
  lost: string[];
}

interface Row {
  [column: string]: unknown;
}
interface Database {
  prepare(sql: string): { all(): Row[] };
  close(): void;
}

/** Opens `<dataDir>/auth.db` read-only with the store's own driver (pico-server-auth's better-sqlite3). */
function openStore(dataDir: string): Database {
  const serverAuth = createRequire(import.meta.url).resolve("pico-server-auth/package.json");
  const BetterSqlite3 = createRequire(serverAuth)("better-sqlite3") as new (path: string, options: { readonly: boolean; fileMustExist: boolean }) => Database;
  return new BetterSqlite3(join(dataDir, "auth.db"), { readonly: true, fileMustExist: true });
}

export function checkStore(dataDir: string, traffic: Pick<Traffic, "sessions" | "bindings">): StoreCheck {
  const db = openStore(dataDir);
  try {
    const lost: string[] = [];
    const families = new Map(db.prepare("SELECT id, sub, role, current_hash, revoked_at FROM refresh_families").all().map((row) => [row.id as string, row]));
    for (const session of traffic.sessions.values()) {
      const row = families.get(session.sid);
      if (!row) lost.push(`session ${session.sid} (${session.role} ${session.sub}) is not in the store`);
      else if (row.sub !== session.sub || row.role !== session.role) lost.push(`session ${session.sid}: stored as ${String(row.role)} ${String(row.sub)}`);
      else if (session.ended && row.revoked_at === null) lost.push(`session ${session.sid} was logged out, but the store has it live`);
      else if (!session.ended && row.revoked_at !== null) lost.push(`session ${session.sid} is live, but the store has it revoked`);
      else if (!session.ended && row.current_hash !== session.refreshHash) lost.push(`session ${session.sid}: the store's current refresh token is not the last one handed out (a rotation was lost)`);
    }
    const bindings = new Map(db.prepare("SELECT address, algorithm, public_key FROM address_bindings").all().map((row) => [row.address as string, row]));
    for (const [address, wallet] of traffic.bindings) {
      const row = bindings.get(address);
      if (!row) lost.push(`wallet binding ${address} is not in the store`);
      else if (row.algorithm !== wallet.algorithm || row.public_key !== wallet.publicKeyHex) lost.push(`wallet binding ${address} holds another key`);
    }
    return { sessionsChecked: traffic.sessions.size, bindingsChecked: traffic.bindings.size, lost };
  } finally {
    db.close();
  }
}

import { join, resolve } from "node:path";
import type { ServerAuthSettings } from "../../settings.js";
import type { FastState } from "../fast-state.js";
import { SqliteChallengeStore } from "./sqlite-challenge-store.js";
import { SqliteRateLimitStore } from "./sqlite-rate-limit-store.js";
import { SHARED_DB_FILE, openSharedDb, sharedCall } from "./shared-db.js";

/**
 * The fast state the workers of one machine share without Redis: `data_dir/shared.db`, its own small
 * file beside auth.db (so its churn never touches the durable store's WAL). Each worker opens its own
 * connection; SQLite's locks make every operation atomic across them.
 */
export function openSqliteFastState(settings: ServerAuthSettings, path = join(resolve(settings.dataDir), SHARED_DB_FILE)): FastState {
  const db = openSharedDb(path);
  const probe = db.prepare("SELECT 1 FROM counters LIMIT 1");
  return {
    kind: "sqlite",
    challenges: new SqliteChallengeStore(db, { ttlSeconds: settings.challengeTtlSeconds, maxChallenges: settings.maxChallenges }),
    counters: new SqliteRateLimitStore(db),
    check: () => sharedCall(() => void probe.get()),
    close: async () => void db.close(),
  };
}

export { SHARED_DB_FILE } from "./shared-db.js";
export { SqliteChallengeStore } from "./sqlite-challenge-store.js";
export { SqliteRateLimitStore } from "./sqlite-rate-limit-store.js";

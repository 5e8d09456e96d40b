import { existsSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pico-ioc";
import { StoreLostError } from "../errors.js";
import { MARKER_FILE, readMarker } from "./marker.js";
import type { StoreMarker } from "./marker.js";
import { isCorruption } from "./sqlite-failure.js";
import { SqliteAuthStore } from "./sqlite-store.js";

export const DATABASE_FILE = "auth.db";

export interface CheckedOpenOptions {
  readonly synchronous: "full" | "normal";
  /** `server_auth.reinitialize_store`: a store that fails the check is moved aside and a fresh one started. */
  readonly reinitialize: boolean;
  /** For the names of moved-aside files; replaceable in tests. */
  readonly now?: Date;
}

export interface CheckedStore {
  readonly store: SqliteAuthStore;
  /** The marker that vouches for the store, or undefined when the store has none yet (new, reinitialised, or of an earlier version). */
  readonly marker: StoreMarker | undefined;
}

/**
 * Opens the SQLite store in `dir` only if it is the store that lived there. The marker (store.json)
 * says which store that was; a database that is missing, empty, corrupt (the integrity check of
 * SqliteAuthStore.open), or lacks the marker's key refuses boot with a StoreLostError, since a fresh
 * store would issue new signing keys and let anyone claim every address again. With `reinitialize`
 * the damaged files are moved aside, never deleted, and a fresh store starts.
 */
export async function openCheckedStore(dir: string, options: CheckedOpenOptions, logger: Logger): Promise<CheckedStore> {
  const found = await inspect(dir, options);
  if ("store" in found) {
    if (options.reinitialize) {
      logger.warn(`pico-server-auth: server_auth.reinitialize_store is on, but the store in ${dir} passed its checks: nothing was reset. Turn the setting off again: left on, it would reset this store the next time it is found damaged instead of refusing to start.`);
    }
    return found;
  }
  if (!options.reinitialize) throw new StoreLostError(lostMessage(dir, found.problem, found.marker), found.cause === undefined ? undefined : { cause: found.cause });
  const moved = moveAside(dir, options.now ?? new Date());
  logger.warn(
    `pico-server-auth: server_auth.reinitialize_store: ${found.problem}. Moved aside: ${moved.join(", ") || "nothing"}. ` +
      "Starting a fresh store: new signing keys; every session and address binding of the old store is gone. " +
      "Turn server_auth.reinitialize_store off again now.",
  );
  return { store: SqliteAuthStore.open(join(dir, DATABASE_FILE), { synchronous: options.synchronous }), marker: undefined };
}

type Inspection = CheckedStore | { readonly problem: string; readonly marker?: StoreMarker; readonly cause?: unknown };

async function inspect(dir: string, { synchronous }: CheckedOpenOptions): Promise<Inspection> {
  const path = join(dir, DATABASE_FILE);
  let marker: StoreMarker | undefined;
  try {
    marker = readMarker(dir);
  } catch (error) {
    return { problem: `${MARKER_FILE} cannot be read (${(error as Error).message}); if ${DATABASE_FILE} is intact, delete ${MARKER_FILE} instead: the next start writes it again from ${DATABASE_FILE}`, cause: error };
  }
  // Before opening: opening creates a missing file, and a migration would fill an empty one.
  if (marker && !existsSync(path)) return { problem: `${DATABASE_FILE} is missing`, marker };
  if (marker && statSync(path).size === 0) return { problem: `${DATABASE_FILE} is empty (0 bytes)`, marker };
  let store: SqliteAuthStore;
  try {
    store = SqliteAuthStore.open(path, { synchronous });
  } catch (error) {
    if (!isCorruption(error)) throw error;
    const cause = (error as Error).cause;
    return { problem: `${DATABASE_FILE} is corrupt (${cause instanceof Error ? cause.message : String(error)})`, ...(marker && { marker }), cause: error };
  }
  if (!marker) return { store, marker };
  const first = await store.firstSigningKey();
  if (first === marker.firstSigningKey) return { store, marker };
  await store.close();
  return {
    problem:
      first === undefined
        ? `${DATABASE_FILE} holds no signing key: it was emptied, or its -wal file was lost before a checkpoint (copied or restored without it)`
        : `${DATABASE_FILE} is another store's: its first signing key is ${first}`,
    marker,
  };
}

function lostMessage(dir: string, problem: string, marker: StoreMarker | undefined): string {
  const identity = marker ? ` ${MARKER_FILE} says the store here was created on ${marker.createdAt} with signing key ${marker.firstSigningKey}, but` : "";
  return [
    `pico-server-auth: refusing to start: the auth store in ${dir} lost its data:${identity} ${problem}.`,
    "Starting a new store now would issue new signing keys and let anyone claim every wallet address again.",
    "To recover, stop every process that uses this folder, then either:",
    `  - restore ${DATABASE_FILE} together with ${DATABASE_FILE}-wal from your backup, or`,
    `  - start fresh on purpose: new signing keys, every session and address binding dropped. Start once with server_auth.reinitialize_store = true (env SERVER_AUTH__REINITIALIZE_STORE=true): the old files are moved aside as ${DATABASE_FILE}.broken-<time>, not deleted. Then turn the setting off.`,
    "See docs/store-recovery.md.",
  ].join("\n");
}

/** Renames the database, its -wal and -shm, and the marker to `<name>.broken-<time>` (the database's companions keep SQLite's suffixes, so the set still opens). */
function moveAside(dir: string, now: Date): string[] {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const renames: [string, string][] = [
    [DATABASE_FILE, `${DATABASE_FILE}.broken-${stamp}`],
    [`${DATABASE_FILE}-wal`, `${DATABASE_FILE}.broken-${stamp}-wal`],
    [`${DATABASE_FILE}-shm`, `${DATABASE_FILE}.broken-${stamp}-shm`],
    [MARKER_FILE, `${MARKER_FILE}.broken-${stamp}`],
  ];
  const moved: string[] = [];
  for (const [from, to] of renames) {
    if (!existsSync(join(dir, from))) continue;
    if (existsSync(join(dir, to))) throw new Error(`cannot move ${from} aside: ${join(dir, to)} exists already`);
    renameSync(join(dir, from), join(dir, to));
    moved.push(`${from} → ${to}`);
  }
  return moved;
}

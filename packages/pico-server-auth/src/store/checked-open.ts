import { existsSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pico-ioc";
import { StoreLostError } from "../errors.js";
import { MARKER_FILE, readMarker, replaceMarker } from "./marker.js";
import type { StoreMarker } from "./marker.js";
import { isCorruption } from "./sqlite-failure.js";
import { SqliteAuthStore } from "./sqlite-store.js";

export const DATABASE_FILE = "auth.db";

export interface CheckedOpenOptions {
  readonly synchronous: "full" | "normal";
  /** `server_auth.reinitialize_store`: a store that fails the check is moved aside and a fresh one started, once (see openCheckedStore). */
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
 *
 * `reinitialize` is one-shot: the store it creates records when (store_meta, then its marker), and
 * while that is recorded it never resets the store again: an operator who leaves the setting on gets
 * the usual refusal at the next damage, not a second silent reset. A start with the setting off
 * clears the record (it has been turned off), so turning it on again acts once more. An unreadable
 * marker is no evidence either way: nothing is reset or moved while it cannot be read.
 */
export async function openCheckedStore(dir: string, options: CheckedOpenOptions, logger: Logger): Promise<CheckedStore> {
  const found = await inspect(dir, options);
  if ("unreadableMarker" in found) throw new StoreLostError(unreadableMarkerMessage(dir, found), { cause: found.unreadableMarker });
  if ("store" in found) {
    await settleReinitialization(dir, found, options.reinitialize, logger);
    return found;
  }
  const acted = found.marker?.reinitializedAt;
  const lost = lostMessage(dir, found.problem, found.marker);
  const cause = found.cause === undefined ? undefined : { cause: found.cause };
  if (!options.reinitialize) {
    // Best effort: a marker that cannot be rewritten must not hide why boot is refused.
    if (found.marker && acted !== undefined) {
      try {
        forgetReinitialization(dir, found.marker, logger);
      } catch (error) {
        logger.warn(`pico-server-auth: could not clear the record of the reinitialization in ${join(dir, MARKER_FILE)} (${(error as Error).message}); until it is cleared, server_auth.reinitialize_store does not reset this store`);
      }
    }
    throw new StoreLostError(lost, cause);
  }
  if (acted !== undefined) throw new StoreLostError(`${lost}\n${alreadyActed(acted)}`, cause);
  const now = options.now ?? new Date();
  const moved = moveAside(dir, now);
  logger.warn(
    `pico-server-auth: server_auth.reinitialize_store: ${found.problem}. Moved aside: ${moved.join(", ") || "nothing"}. ` +
      "Starting a fresh store: new signing keys; every session and address binding of the old store is gone. " +
      "Turn server_auth.reinitialize_store off again now (it does not reset this new store while it stays on).",
  );
  const store = SqliteAuthStore.open(join(dir, DATABASE_FILE), { synchronous: options.synchronous });
  await store.setReinitializedAt(now.toISOString());
  return { store, marker: undefined };
}

/** What the refusal adds when the setting is on but already made this store. */
function alreadyActed(at: string): string {
  return `server_auth.reinitialize_store is on, but reinitialize_store already acted on ${at} (it created the store that ${MARKER_FILE} names, and resets a store once): turn it off, then on again to start over. The start with it off refuses too; it clears the record in ${MARKER_FILE}.`;
}

/** A store that passed its checks: warns while the setting is on; with it off, clears the record of an earlier reinitialization, so the setting can act again. */
async function settleReinitialization(dir: string, { store, marker }: CheckedStore, reinitialize: boolean, logger: Logger): Promise<void> {
  const acted = marker?.reinitializedAt ?? (await store.reinitializedAt());
  if (reinitialize) {
    logger.warn(
      acted === undefined
        ? `pico-server-auth: server_auth.reinitialize_store is on, but the store in ${dir} passed its checks: nothing was reset. Turn the setting off again: left on, it would reset this store the next time it is found damaged instead of refusing to start.`
        : `pico-server-auth: server_auth.reinitialize_store is on; it created the store in ${dir} on ${acted}, and will not reset it again while it stays on. Turn the setting off.`,
    );
    return;
  }
  if (acted === undefined) return;
  await store.setReinitializedAt(undefined);
  if (marker) forgetReinitialization(dir, marker, logger);
}

/** Clears the marker's record of a reinitialization: the setting is off now, so its next use acts once more. */
function forgetReinitialization(dir: string, marker: StoreMarker, logger: Logger): void {
  replaceMarker(dir, { firstSigningKey: marker.firstSigningKey, createdAt: marker.createdAt });
  logger.info(`pico-server-auth: server_auth.reinitialize_store is off: cleared the record that it created the store in ${dir} on ${marker.reinitializedAt}; turned on again, it acts once more`);
}

type Opened = { readonly store: SqliteAuthStore } | { readonly problem: string; readonly cause?: unknown };
type Inspection =
  | CheckedStore
  | { readonly problem: string; readonly marker?: StoreMarker; readonly cause?: unknown }
  | { readonly unreadableMarker: unknown; readonly databaseProblem: string | undefined };

async function inspect(dir: string, options: CheckedOpenOptions): Promise<Inspection> {
  let marker: StoreMarker | undefined;
  try {
    marker = readMarker(dir);
  } catch (error) {
    // Said in the message: whether auth.db is intact decides what the operator should do.
    const opened = openDatabase(dir, options, true);
    if ("store" in opened) await opened.store.close();
    return { unreadableMarker: error, databaseProblem: "problem" in opened ? opened.problem : undefined };
  }
  const opened = openDatabase(dir, options, marker !== undefined);
  if ("problem" in opened) return { ...opened, ...(marker && { marker }) };
  const { store } = opened;
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

/** Opens the database, or says what is wrong with it. `mustExist`: a store lived here, so a missing or empty file is a problem, not a new store. */
function openDatabase(dir: string, { synchronous }: CheckedOpenOptions, mustExist: boolean): Opened {
  const path = join(dir, DATABASE_FILE);
  // Before opening: opening creates a missing file, and a migration would fill an empty one.
  if (mustExist && !existsSync(path)) return { problem: `${DATABASE_FILE} is missing` };
  if (mustExist && statSync(path).size === 0) return { problem: `${DATABASE_FILE} is empty (0 bytes)` };
  try {
    return { store: SqliteAuthStore.open(path, { synchronous }) };
  } catch (error) {
    if (!isCorruption(error)) throw error;
    const cause = (error as Error).cause;
    return { problem: `${DATABASE_FILE} is corrupt (${cause instanceof Error ? cause.message : String(error)})`, cause: error };
  }
}

function unreadableMarkerMessage(dir: string, { unreadableMarker, databaseProblem }: { unreadableMarker: unknown; databaseProblem: string | undefined }): string {
  const database =
    databaseProblem === undefined
      ? `${DATABASE_FILE} passed its checks: the store itself looks intact.`
      : `${DATABASE_FILE} is damaged too: ${databaseProblem}.`;
  const afterDelete =
    databaseProblem === undefined
      ? ""
      : `; with ${DATABASE_FILE} damaged, that start refuses as usual (a missing or empty ${DATABASE_FILE} is taken for a new store), and server_auth.reinitialize_store can then start fresh`;
  return [
    `pico-server-auth: refusing to start: ${MARKER_FILE} in ${dir} cannot be read (${unreadableMarker instanceof Error ? unreadableMarker.message : String(unreadableMarker)}).`,
    `It says which store lives here and whether server_auth.reinitialize_store already reset it, so nothing is reset or moved aside while it is unreadable, whatever server_auth.reinitialize_store says. ${database}`,
    "To recover, stop every process that uses this folder, then either:",
    `  - restore ${MARKER_FILE} from your backup${databaseProblem === undefined ? "" : ` (with ${DATABASE_FILE} and ${DATABASE_FILE}-wal)`}, or`,
    `  - delete ${MARKER_FILE}: the next start writes it again from ${DATABASE_FILE}${afterDelete}.`,
    "See docs/store-recovery.md.",
  ].join("\n");
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

/**
 * Renames the database, its -wal and -shm, and the marker to `<name>.broken-<time>` (the database's
 * companions keep SQLite's suffixes, so the set still opens). A time whose names are taken (a second
 * reset within the same second) gets a counter, chosen before anything moves: no set is split.
 */
function moveAside(dir: string, now: Date): string[] {
  const time = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const renamesAt = (stamp: string): [string, string][] => [
    [DATABASE_FILE, `${DATABASE_FILE}.broken-${stamp}`],
    [`${DATABASE_FILE}-wal`, `${DATABASE_FILE}.broken-${stamp}-wal`],
    [`${DATABASE_FILE}-shm`, `${DATABASE_FILE}.broken-${stamp}-shm`],
    [MARKER_FILE, `${MARKER_FILE}.broken-${stamp}`],
  ];
  let renames = renamesAt(time);
  for (let n = 2; renames.some(([, to]) => existsSync(join(dir, to))); n++) renames = renamesAt(`${time}-${n}`);
  const moved: string[] = [];
  for (const [from, to] of renames) {
    if (!existsSync(join(dir, from))) continue;
    renameSync(join(dir, from), join(dir, to));
    moved.push(`${from} → ${to}`);
  }
  return moved;
}

import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Beside auth.db: says that a store lives in this folder, and which one. */
export const MARKER_FILE = "store.json";

/**
 * What the marker says: the store's first signing key (its kid, the key's RFC 7638 thumbprint), when
 * it was written, and, for a store that `server_auth.reinitialize_store` created, when that happened:
 * while this is recorded the setting does not reset the store again (it is one-shot; a start with
 * the setting off clears the record).
 */
export interface StoreMarker {
  readonly firstSigningKey: string;
  readonly createdAt: string;
  readonly reinitializedAt?: string;
}

const NOTE =
  "Written by pico-server-auth when this store got its first signing key. While this file exists, the server refuses to start on an auth.db that is missing, empty, corrupt or lacks that key. See docs/store-recovery.md.";

/**
 * The marker in `dir`, or undefined when there is none. A marker that cannot be read or parsed
 * throws: it is no evidence either way, and a guess could reset the store.
 */
export function readMarker(dir: string): StoreMarker | undefined {
  const path = join(dir, MARKER_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = parse(text);
  if (!parsed) throw new Error(`${path} is not a pico-server-auth store marker (expected JSON with "first_signing_key" and "created_at"): ${JSON.stringify(text.slice(0, 200))}`);
  return parsed;
}

/**
 * Writes the marker naming `firstSigningKey` unless one exists, and returns the marker that holds
 * afterwards. Atomic: written in full under a temporary name, then hard-linked into place, which
 * fails if the name exists; so processes sharing the folder never see half a file, and the first
 * one's marker wins. Mode 0600, as the database.
 */
export function writeMarker(dir: string, firstSigningKey: string, now = new Date(), reinitializedAt?: string): StoreMarker {
  const path = join(dir, MARKER_FILE);
  const marker: StoreMarker = { firstSigningKey, createdAt: now.toISOString(), ...(reinitializedAt === undefined ? {} : { reinitializedAt }) };
  const temporary = writeTemporary(dir, marker);
  try {
    linkSync(temporary, path);
    return marker;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const held = readMarker(dir);
    if (!held) throw new Error(`${path} existed a moment ago and is gone now: is another process moving it?`);
    return held;
  } finally {
    unlinkSync(temporary);
  }
}

/** Replaces the marker with `marker` (the same store's, one field changed), atomically: written in full, then renamed over it. */
export function replaceMarker(dir: string, marker: StoreMarker): void {
  const temporary = writeTemporary(dir, marker);
  try {
    renameSync(temporary, join(dir, MARKER_FILE));
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/** `marker` written and flushed to a new temporary file in `dir` (mode 0600); returns its path. */
function writeTemporary(dir: string, marker: StoreMarker): string {
  const temporary = join(dir, `.${MARKER_FILE}.${randomBytes(6).toString("hex")}.tmp`);
  const fields = { first_signing_key: marker.firstSigningKey, created_at: marker.createdAt, ...(marker.reinitializedAt === undefined ? {} : { reinitialized_at: marker.reinitializedAt }), note: NOTE };
  writeFileSync(temporary, `${JSON.stringify(fields, null, 2)}\n`, { mode: 0o600, flag: "wx", flush: true });
  return temporary;
}

function parse(text: string): StoreMarker | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { first_signing_key: kid, created_at: createdAt, reinitialized_at: reinitializedAt } = (value ?? {}) as Record<string, unknown>;
  if (typeof kid !== "string" || kid === "" || typeof createdAt !== "string") return undefined;
  if (reinitializedAt !== undefined && typeof reinitializedAt !== "string") return undefined;
  return { firstSigningKey: kid, createdAt, ...(reinitializedAt === undefined ? {} : { reinitializedAt }) };
}

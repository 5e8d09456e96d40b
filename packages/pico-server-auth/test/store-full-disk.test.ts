import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../src/errors.js";
import { SESSION_STORE } from "../src/sessions/session-store.js";
import { uninstrumented } from "../src/store/instrument-port.js";
import { asStoreFailure } from "../src/store/sqlite-failure.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";
import { setMaxPageCount } from "./sqlite-hooks.js";
import { garbageInTheMiddle } from "./store-damage.js";
import { ADMIN, postJson, serverApp } from "./support.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-full-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);

const DISK_FULL = { detail: "the auth store is unavailable: disk full; try again later" };
/** Far more pages than any test writes: "the disk has room again". */
const ROOM = 1_000_000;

/**
 * Makes every write to the store at `path` also write a blob larger than a page, through triggers
 * of this test only: every write then needs a new page, as every commit needs room in the -wal on a
 * real full disk. Under setMaxPageCount (sqlite-hooks.ts) every write fails with SQLITE_FULL, and not
 * only those that happen to overflow a page.
 */
function everyWriteNeedsAPage(path: string): void {
  const db = new Database(path);
  try {
    db.exec("CREATE TABLE test_padding (blob BLOB)");
    for (const table of ["signing_keys", "address_bindings", "refresh_families", "refresh_tokens", "access_tokens", "admin_credential"]) {
      for (const event of ["INSERT", "UPDATE"]) {
        db.exec(`CREATE TRIGGER test_pad_${table}_${event} AFTER ${event} ON ${table} BEGIN INSERT INTO test_padding VALUES (randomblob(5000)); END`);
      }
    }
  } finally {
    db.close();
  }
}

/** A logger that keeps each line with its level and error. */
function recordingLogger() {
  const lines: { level: string; message: string; error?: unknown }[] = [];
  const at = (level: string) => (message: unknown, fields?: { err?: unknown }) => void lines.push({ level, message: String(message), ...(fields?.err === undefined ? {} : { error: fields.err }) });
  return { lines, logger: { debug() {}, info() {}, warn: at("warn"), error: at("error") } };
}

const bindingOf = (n: number) => ({ algorithm: "Ed25519", publicKey: `${n}`.padStart(64, "0") });

describe("SqliteAuthStore on a full disk", () => {
  it.each([
    ["SQLITE_FULL", "disk full"],
    ["SQLITE_IOERR_WRITE", "disk I/O error"],
    ["SQLITE_IOERR_FSYNC", "disk I/O error"],
    ["SQLITE_CORRUPT", "database corrupt"],
    ["SQLITE_CORRUPT_INDEX", "database corrupt"],
    ["SQLITE_NOTADB", "database corrupt"],
    ["SQLITE_BUSY", "database locked by another process"],
    ["SQLITE_BUSY_SNAPSHOT", "database locked by another process"],
    ["SQLITE_READONLY_DBMOVED", "database read-only"],
    ["SQLITE_CANTOPEN", "database cannot be opened"],
    ["SQLITE_PROTOCOL", "database locking failed"],
  ])("%s is a StoreUnavailableError: %s", (code, reason) => {
    const sqlite = new Database.SqliteError("low-level text", code);
    const failure = asStoreFailure(sqlite) as StoreUnavailableError;
    expect([failure instanceof StoreUnavailableError, failure.status, failure.message, failure.cause]).toStrictEqual([true, 503, `the auth store is unavailable: ${reason}; try again later`, sqlite]);
  });

  it("any other error stays what it is", () => {
    for (const error of [new Database.SqliteError("UNIQUE constraint failed", "SQLITE_CONSTRAINT_UNIQUE"), new Database.SqliteError("misuse", "SQLITE_MISUSE"), new Error("SQLITE_FULL"), "SQLITE_FULL"]) {
      expect(asStoreFailure(error)).toBe(error);
    }
  });

  it("a database that reached its size fails writes with StoreUnavailableError (503, exposed, cause kept), keeps nothing of them, and writes again once there is room", async () => {
    const store = SqliteAuthStore.open(join(freshDir(), "auth.db"));
    try {
      setMaxPageCount(store, 1);
      let failure: unknown;
      let bound = 0;
      // Bindings until one does not fit: the cap is what the file had when it was set.
      for (; bound < 10_000 && failure === undefined; bound++) failure = await store.bindAddress(`0x${bound}`, bindingOf(bound)).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      const error = failure as StoreUnavailableError;
      expect({ code: error.code, status: error.status, expose: error.expose, message: error.message, reason: error.reason }).toStrictEqual({
        code: "STORE_UNAVAILABLE",
        status: 503,
        expose: true,
        message: DISK_FULL.detail,
        reason: "disk full",
      });
      expect((error.cause as { code?: string }).code).toBe("SQLITE_FULL");
      const failed = `0x${bound - 1}`;
      expect(await store.binding(failed)).toBeUndefined();

      setMaxPageCount(store, ROOM);
      expect(await store.bindAddress(failed, bindingOf(bound - 1))).toStrictEqual(bindingOf(bound - 1));
      expect(await store.binding("0x0")).toStrictEqual(bindingOf(0));
    } finally {
      await store.close();
    }
  });

  it("a sign-in's store calls (its binding, then its session) fail whole with 503 while the disk is full and succeed once there is room; a constraint violation stays what it is", async () => {
    const dir = freshDir();
    const store = SqliteAuthStore.open(join(dir, "auth.db"));
    try {
      await store.addSigningKey({ kid: "k", alg: "EdDSA", material: "m", createdAt: 1 }, undefined);
      const duplicate = await store.addSigningKey({ kid: "k", alg: "EdDSA", material: "m", createdAt: 2 }, "k").catch((e: unknown) => e);
      expect((duplicate as { code?: string }).code).toBe("SQLITE_CONSTRAINT_UNIQUE");
      expect(asStoreFailure(duplicate)).toBe(duplicate);

      everyWriteNeedsAPage(join(dir, "auth.db"));
      setMaxPageCount(store, 1);
      const family = { id: "f", sub: "0xa", role: "user", claims: { algorithm: "Ed25519" }, currentHash: "h".repeat(64), expiresAt: 2e9, startedAt: 1 };
      const failed = await Promise.all([store.bindAddress("0xa", bindingOf(1)), store.createFamily(family, { jti: "j", exp: 2e9 })].map((call) => call.then(() => "stored", (e: unknown) => e)));
      expect(failed.map((e) => [e instanceof StoreUnavailableError, (e as StoreUnavailableError).reason])).toStrictEqual([
        [true, "disk full"],
        [true, "disk full"],
      ]);
      // One SqliteError (a batch whose commit failed rejects every call with it) maps to one error, logged once.
      const cause = (failed[0] as Error).cause;
      expect(asStoreFailure(cause)).toBe(asStoreFailure(cause));
      expect([await store.binding("0xa"), await store.family("f")]).toStrictEqual([undefined, undefined]);

      setMaxPageCount(store, ROOM);
      expect(await store.bindAddress("0xa", bindingOf(1))).toStrictEqual(bindingOf(1));
      await store.createFamily(family, { jti: "j", exp: 2e9 });
      expect((await store.family("f"))?.sub).toBe("0xa");
    } finally {
      await store.close();
    }
  });
});

describe("HTTP on a full disk", () => {
  it("login, refresh and logout answer 503 with a detail (never 500, never a 204 for a logout that did not happen); the outage is logged once when it starts and once when it ends; once there is room the same requests succeed", async () => {
    const dataDir = freshDir();
    const { lines, logger } = recordingLogger();
    // With a key encryption key: without one, boot warns (a line this test would count).
    const app = serverApp({ server: { store: "sqlite", data_dir: dataDir, key_encryption_key: "ab".repeat(32) }, logger });
    const login = () => app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
    const refresh = (token: string) => app.request("/api/v1/auth/refresh", postJson({ refresh_token: token }));
    const logout = (token: string) => app.request("/api/v1/auth/logout", postJson({ refresh_token: token }));
    const logoutBearer = (token: string) => app.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    const answer = async (res: Response) => [res.status, await res.json().catch(() => undefined)];
    try {
      const a = (await (await login()).json()) as { refresh_token: string };
      const b = (await (await login()).json()) as { refresh_token: string; access_token: string };
      const store = uninstrumented(app.container.get(SESSION_STORE)) as SqliteAuthStore;
      everyWriteNeedsAPage(store.path);
      setMaxPageCount(store, 1);

      for (let round = 0; round < 3; round++) {
        expect(await answer(await login())).toStrictEqual([503, DISK_FULL]);
        expect(await answer(await refresh(a.refresh_token))).toStrictEqual([503, DISK_FULL]);
        expect(await answer(await logout(b.refresh_token))).toStrictEqual([503, DISK_FULL]);
        expect(await answer(await logoutBearer(b.access_token))).toStrictEqual([503, DISK_FULL]);
      }
      // Twelve failed requests, one line: the outage's start, with SQLite's error as the cause.
      const errors = lines.filter((l) => l.level === "error");
      expect(errors.map((l) => l.message)).toStrictEqual([
        "pico-server-auth: the auth store is unavailable (disk full): requests that need it answer 503 until it recovers (1 call so far). Logged again when it recovers, and at most once a minute while it lasts",
      ]);
      expect([(errors[0]?.error as StoreUnavailableError).reason, (errors[0]?.error as Error).cause instanceof Error]).toStrictEqual(["disk full", true]);
      expect(lines.filter((l) => l.level === "warn")).toStrictEqual([]);

      setMaxPageCount(store, ROOM);
      expect((await login()).status).toBe(200);
      // The failed refresh did not spend the token, and the failed logouts ended nothing: both work now.
      expect((await refresh(a.refresh_token)).status).toBe(200);
      expect((await logout(b.refresh_token)).status).toBe(204);
      expect((await refresh(b.refresh_token)).status).toBe(401);
      // One warning: the outage's end (the logout's auth.session_revoked is at info).
      const warnings = lines.filter((l) => l.level === "warn").map((l) => l.message);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^pico-server-auth: the auth store works again, after \d+\.\d s unavailable since \S+Z: 12 calls failed with 503 meanwhile$/);
      expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
    } finally {
      await app.stop();
    }
  });

  it("an admin login whose credential cannot be saved answers 503 and is logged once, by the store (admin login does not log it again)", async () => {
    const { lines, logger } = recordingLogger();
    const app = serverApp({ server: { store: "sqlite", data_dir: freshDir() }, logger });
    try {
      await app.init();
      const store = uninstrumented(app.container.get(SESSION_STORE)) as SqliteAuthStore;
      everyWriteNeedsAPage(store.path);
      setMaxPageCount(store, 1);
      const res = await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
      expect([res.status, await res.json()]).toStrictEqual([503, DISK_FULL]);
      expect(lines.filter((l) => l.level === "error").map((l) => l.message)).toStrictEqual([expect.stringMatching(/^pico-server-auth: the auth store is unavailable \(disk full\)/)]);
    } finally {
      await app.stop();
    }
  });
});

describe("HTTP on a database corrupted while the server runs", () => {
  it("a refresh reading the damaged page answers 503 with a detail, not 500", async () => {
    const dataDir = freshDir();
    const app = serverApp({ server: { store: "sqlite", data_dir: dataDir } });
    const login = () => app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
    try {
      const { refresh_token } = (await (await login()).json()) as { refresh_token: string };
      const path = join(dataDir, "auth.db");
      // Everything into auth.db (another connection's checkpoint also makes the server's connection drop its page cache), then damage it.
      const raw = new Database(path);
      raw.pragma("wal_checkpoint(TRUNCATE)");
      raw.close();
      garbageInTheMiddle(path, "refresh_tokens");
      const res = await app.request("/api/v1/auth/refresh", postJson({ refresh_token }));
      expect([res.status, await res.json()]).toStrictEqual([503, { detail: "the auth store is unavailable: database corrupt; try again later" }]);
    } finally {
      await app.stop();
    }
  });
});

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { StoreLostError } from "../src/errors.js";
import { SigningKeys } from "../src/keys/signing-keys.js";
import { writeMarker } from "../src/store/marker.js";
import { digest, durable, garbageInTheMiddle, markerKid, usedStore } from "./store-damage.js";
import { postJson, serverApp } from "./support.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-marker-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);

const kidsOf = async (app: ReturnType<typeof serverApp>) => ((await (await app.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
/** A logger that keeps what it is given, but the boot warning of a store without a key encryption key (key-encryption-boot.test.ts has it). */
function recording() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: unknown, fields?: { event?: string }) => void (fields?.event === "auth.keys_unencrypted" || lines.push({ level, message: String(message) }));
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}
const markerOf = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, "store.json"), "utf8")) as Record<string, unknown>;
/** The rows of store_meta, read while no server runs. */
function storeMeta(dataDir: string): unknown[][] {
  const db = new Database(join(dataDir, "auth.db"), { readonly: true });
  try {
    return db.prepare("SELECT name, value FROM store_meta ORDER BY name").raw().all() as unknown[][];
  } finally {
    db.close();
  }
}
/** A store that reinitialize_store created (its predecessor's auth.db deleted); returns when, as its marker records it. */
async function reinitializedStore(dataDir: string): Promise<string> {
  await usedStore(dataDir);
  rmSync(join(dataDir, "auth.db"));
  const app = durable(dataDir, { reinitialize_store: true });
  await app.init();
  await app.stop();
  const acted = markerOf(dataDir).reinitialized_at;
  expect(typeof acted).toBe("string");
  expect(storeMeta(dataDir)).toContainEqual(["reinitialized_at", acted]);
  return acted as string;
}
/** The boot error of `app` (the pico-ioc error's cause), or undefined when it boots. */
const bootError = (app: ReturnType<typeof serverApp>) => app.init().then(() => undefined, (e: unknown) => (e as Error).cause);

describe("the store marker (store.json)", () => {
  it("is written, mode 0600, when the store gets its first signing key, naming it; a rotation and a restart keep it", async () => {
    const dataDir = freshDir();
    const { lines, logger } = recording();
    const app = durable(dataDir, {}, { logger });
    const [kid] = await kidsOf(app);
    const path = join(dataDir, "store.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    expect(written.first_signing_key).toBe(kid);
    expect(Math.abs(Date.parse(written.created_at as string) - Date.now())).toBeLessThan(60_000);
    expect(written.note).toContain("refuses to start");
    expect(lines).toContainEqual({ level: "info", message: `pico-server-auth: wrote store.json in ${dataDir}, naming signing key ${kid}: from now on a missing, emptied or replaced auth.db refuses boot` });
    const before = readFileSync(path, "utf8");
    await app.container.get(SigningKeys).rotate();
    await app.stop();
    const again = durable(dataDir);
    expect((await kidsOf(again)).length).toBe(2);
    await again.stop();
    expect(readFileSync(path, "utf8")).toBe(before);
    // Nothing else is left in the folder (no temporary file of the atomic write).
    expect(readdirSync(dataDir).sort()).toStrictEqual(["auth.db", "store.json"]);
  });

  it("a store of an earlier version (no marker) gets one at boot, naming its first key", async () => {
    const dataDir = freshDir();
    const { kid } = await usedStore(dataDir);
    rmSync(join(dataDir, "store.json"));
    const app = durable(dataDir);
    await app.init();
    expect(markerKid(dataDir)).toBe(kid);
    await app.stop();
  });

  it("the memory store writes none", async () => {
    const dataDir = freshDir();
    const app = serverApp({ server: { store: "memory", data_dir: dataDir } });
    await app.init();
    await app.stop();
    expect(existsSync(join(dataDir, "store.json"))).toBe(false);
  });

  it("processes sharing the folder agree: the first marker written wins, whole", async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const first = writeMarker(dir, "kid-one", new Date("2026-01-01T00:00:00Z"));
    expect(writeMarker(dir, "kid-two")).toStrictEqual(first);
    expect(markerKid(dir)).toBe("kid-one");
    expect(readdirSync(dir)).toStrictEqual(["store.json"]);

    // Two servers booting at once on a new folder: one store, one first key, one marker naming it.
    const shared = freshDir();
    const [a, b] = [durable(shared), durable(shared)];
    await Promise.all([a.init(), b.init()]);
    const kids = new Set([...(await kidsOf(a)), ...(await kidsOf(b))]);
    expect(kids.has(markerKid(shared))).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
    const restarted = durable(shared);
    expect(await bootError(restarted)).toBeUndefined();
    await restarted.stop();
  });

  it("a marker that cannot be read refuses boot, also with reinitialize_store on: an intact auth.db is never moved aside; the message says to delete or restore store.json", async () => {
    const dataDir = freshDir();
    const { kid } = await usedStore(dataDir);
    writeFileSync(join(dataDir, "store.json"), "{ not json");
    const files = () => readdirSync(dataDir).sort();
    const before = [files(), digest(join(dataDir, "auth.db"))];
    for (const reinitialize_store of [false, true]) {
      const error = await bootError(durable(dataDir, { reinitialize_store }));
      expect(error).toBeInstanceOf(StoreLostError);
      const message = (error as Error).message;
      expect(message).toContain(`pico-server-auth: refusing to start: store.json in ${dataDir} cannot be read (`);
      expect(message).toContain("nothing is reset or moved aside while it is unreadable, whatever server_auth.reinitialize_store says. auth.db passed its checks: the store itself looks intact.");
      expect(message).toContain("  - restore store.json from your backup, or\n  - delete store.json: the next start writes it again from auth.db.");
      expect([files(), digest(join(dataDir, "auth.db"))]).toStrictEqual(before);
    }
    // What the message says works: without store.json the same store boots, and gets its marker again.
    rmSync(join(dataDir, "store.json"));
    const app = durable(dataDir);
    expect(await kidsOf(app)).toStrictEqual([kid]);
    await app.stop();
    expect(markerKid(dataDir)).toBe(kid);
  });

  it("a marker that cannot be read beside a damaged auth.db: refused, nothing moved, the message says both are damaged", async () => {
    const dataDir = freshDir();
    await usedStore(dataDir);
    writeFileSync(join(dataDir, "store.json"), "");
    rmSync(join(dataDir, "auth.db"));
    const error = await bootError(durable(dataDir, { reinitialize_store: true }));
    expect((error as Error).message).toContain("auth.db is damaged too: auth.db is missing.");
    expect((error as Error).message).toContain("  - restore store.json from your backup (with auth.db and auth.db-wal), or");
    expect(readdirSync(dataDir)).toStrictEqual(["store.json"]);
  });

  it("a corrupt store refuses boot even without a marker: the integrity check runs at every boot", async () => {
    const dataDir = freshDir();
    await usedStore(dataDir);
    rmSync(join(dataDir, "store.json"));
    garbageInTheMiddle(join(dataDir, "auth.db"));
    const error = await bootError(durable(dataDir));
    expect(error).toBeInstanceOf(StoreLostError);
    expect((error as StoreLostError).code).toBe("STORE_LOST");
    expect((error as Error).message).toMatch(/lost its data: auth\.db is corrupt \(PRAGMA quick_check on .* found: /);
  });
});

describe("server_auth.reinitialize_store", () => {
  it("moves a failed store aside (never deletes it), starts a fresh one whose marker records the reinitialization, and logs at warn to turn it off; left on, it resets nothing more", async () => {
    const dataDir = freshDir();
    const { kid, refreshToken } = await usedStore(dataDir);
    const other = freshDir();
    await usedStore(other);
    copyFileSync(join(other, "auth.db"), join(dataDir, "auth.db"));
    const replaced = [digest(join(dataDir, "auth.db")), readFileSync(join(dataDir, "store.json"), "utf8")];

    const { lines, logger } = recording();
    const app = durable(dataDir, { reinitialize_store: true }, { logger });
    const [fresh] = await kidsOf(app);
    expect(fresh).not.toBe(kid);
    expect(markerKid(dataDir)).toBe(fresh);
    const acted = markerOf(dataDir).reinitialized_at as string;
    expect(Math.abs(Date.parse(acted) - Date.now())).toBeLessThan(60_000);
    // A fresh store: the old session is unknown to it.
    expect((await app.request("/api/v1/auth/refresh", postJson({ refresh_token: refreshToken }))).status).toBe(401);
    await app.stop();
    const aside = readdirSync(dataDir).filter((f) => f.includes(".broken-")).sort();
    expect(aside).toHaveLength(2);
    const [db, marker] = aside as [string, string];
    expect(db).toMatch(/^auth\.db\.broken-\d{8}T\d{6}Z$/);
    expect(marker).toBe(`store.json${db.slice("auth.db".length)}`);
    expect([digest(join(dataDir, db)), readFileSync(join(dataDir, marker), "utf8")]).toStrictEqual(replaced);
    const warnings = lines.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`pico-server-auth: server_auth.reinitialize_store: auth.db is another store's: its first signing key is`);
    expect(warnings[0]).toContain(`Moved aside: auth.db → ${db}, store.json → ${marker}. Starting a fresh store: new signing keys; every session and address binding of the old store is gone. Turn server_auth.reinitialize_store off again now (it does not reset this new store while it stays on).`);

    const left = recording();
    const again = durable(dataDir, { reinitialize_store: true }, { logger: left.logger });
    expect(await kidsOf(again)).toStrictEqual([fresh]);
    await again.stop();
    expect(left.lines.filter((l) => l.level === "warn").map((l) => l.message)).toStrictEqual([
      `pico-server-auth: server_auth.reinitialize_store is on; it created the store in ${dataDir} on ${acted}, and will not reset it again while it stays on. Turn the setting off.`,
    ]);
  });

  it("on over a sound store it did not create: resets nothing, and warns that it would reset it if found damaged", async () => {
    const dataDir = freshDir();
    const { kid } = await usedStore(dataDir);
    const { lines, logger } = recording();
    const app = durable(dataDir, { reinitialize_store: true }, { logger });
    expect(await kidsOf(app)).toStrictEqual([kid]);
    await app.stop();
    expect(lines.filter((l) => l.level === "warn").map((l) => l.message)).toStrictEqual([
      `pico-server-auth: server_auth.reinitialize_store is on, but the store in ${dataDir} passed its checks: nothing was reset. Turn the setting off again: left on, it would reset this store the next time it is found damaged instead of refusing to start.`,
    ]);
  });

  it("is one-shot: left on, it never resets the store it created; damaged again, boot is refused saying when it already acted and to turn it off, then on again; nothing is moved", async () => {
    const dataDir = freshDir();
    const acted = await reinitializedStore(dataDir);
    rmSync(join(dataDir, "auth.db"));
    const files = readdirSync(dataDir).sort();
    const marker = readFileSync(join(dataDir, "store.json"), "utf8");

    const error = await bootError(durable(dataDir, { reinitialize_store: true }));
    expect(error).toBeInstanceOf(StoreLostError);
    const message = (error as Error).message;
    expect(message).toContain("lost its data:");
    expect(message).toContain("but auth.db is missing.");
    expect(message).toContain(`reinitialize_store already acted on ${acted}`);
    expect(message).toContain(": turn it off, then on again to start over. The start with it off refuses too; it clears the record in store.json.");
    expect([readdirSync(dataDir).sort(), readFileSync(join(dataDir, "store.json"), "utf8")]).toStrictEqual([files, marker]);
  });

  it("one start with it off re-arms it: the record is cleared from store.json and store_meta, and once on again it resets a damaged store once more", async () => {
    const dataDir = freshDir();
    const acted = await reinitializedStore(dataDir);
    const { lines, logger } = recording();
    const off = durable(dataDir, {}, { logger });
    const [kid] = await kidsOf(off);
    await off.stop();
    expect(lines).toContainEqual({ level: "info", message: `pico-server-auth: server_auth.reinitialize_store is off: cleared the record that it created the store in ${dataDir} on ${acted}; turned on again, it acts once more` });
    expect([markerKid(dataDir), markerOf(dataDir).reinitialized_at]).toStrictEqual([kid, undefined]);
    expect(storeMeta(dataDir)).toStrictEqual([["first_signing_key", kid]]);

    rmSync(join(dataDir, "auth.db"));
    const on = durable(dataDir, { reinitialize_store: true });
    const [fresh] = await kidsOf(on);
    await on.stop();
    expect(fresh).not.toBe(kid);
    expect(markerKid(dataDir)).toBe(fresh);
  });

  it("one start with it off re-arms it also when that start is refused (the store it created is damaged): the next start with it on resets", async () => {
    const dataDir = freshDir();
    await reinitializedStore(dataDir);
    garbageInTheMiddle(join(dataDir, "auth.db"));
    expect(await bootError(durable(dataDir, { reinitialize_store: true }))).toBeInstanceOf(StoreLostError);
    const refused = await bootError(durable(dataDir));
    expect((refused as Error).message).not.toContain("already acted");
    expect(markerOf(dataDir).reinitialized_at).toBeUndefined();
    const on = durable(dataDir, { reinitialize_store: true });
    expect(await kidsOf(on)).toHaveLength(1);
    await on.stop();
    // Two resets, likely within the same second: a second set of names then gets a counter; nothing is overwritten or split.
    const aside = readdirSync(dataDir).filter((f) => f.includes(".broken-")).sort();
    expect(aside).toHaveLength(3);
    expect(aside.filter((f) => f.startsWith("store.json.broken-"))).toHaveLength(2);
    expect(aside.filter((f) => f.startsWith("auth.db.broken-"))).toHaveLength(1);
  });

  it("is off by default: the same store refuses boot", async () => {
    const dataDir = freshDir();
    await usedStore(dataDir);
    rmSync(join(dataDir, "auth.db"));
    expect(await bootError(durable(dataDir))).toBeInstanceOf(StoreLostError);
    expect(existsSync(join(dataDir, "auth.db"))).toBe(false);
  });
});

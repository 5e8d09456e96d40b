import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredSigningKey } from "../src/keys/signing-key-store.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";
import { access, family, next } from "../src/testing/fixtures.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
/** A fresh directory under the suite's temporary root, not created yet. */
const freshDir = () => join(root, `d${++dirs}`);

const key = (kid: string, createdAt: number): StoredSigningKey => ({ kid, alg: "EdDSA", material: `{"privateJwk":{"kid":"${kid}"}}`, createdAt });

describe("SqliteAuthStore", () => {
  const stores: SqliteAuthStore[] = [];
  const open = (path: string) => {
    const store = SqliteAuthStore.open(path);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it("a reopened file holds everything the closed store had: keys, bindings, families, revocations", async () => {
    const path = join(freshDir(), "auth.db");
    const before = open(path);
    await before.addSigningKey(key("k1", 100), undefined);
    await before.addSigningKey(key("k2", 200), "k1");
    await before.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" });
    await before.createFamily(family("f1"), access("f1-a0"));
    await before.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
    await before.createFamily(family("f2"), access("f2-a0"));
    await before.revokeFamily("f2", 11);
    await before.close();

    const after = open(path);
    expect(await after.signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 }, key("k2", 200)]);
    expect(await after.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "other" })).toStrictEqual({ algorithm: "Ed25519", publicKey: "aa" });
    expect(await after.family("f1")).toStrictEqual({ ...family("f1"), currentHash: "f1-r1", expiresAt: 2000 });
    expect(await after.family("f2")).toStrictEqual({ ...family("f2"), revokedAt: 11 });
    expect((await after.revokedSince(undefined, 0)).revoked).toStrictEqual([access("f2-a0")]);
    expect(await after.redeemRefresh("f1-r0", next("f1-x"), access("f1-ax"), 12)).toStrictEqual({ outcome: "reused" });
  });

  it("creates a new directory with mode 0700 and the database, WAL and shared-memory files with mode 0600", async () => {
    const dir = join(freshDir(), "nested", "state");
    const path = join(dir, "auth.db");
    const store = open(path);
    await store.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "..")).mode & 0o777).toBe(0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect([file, statSync(file).mode & 0o777]).toStrictEqual([file, 0o600]);
  });

  it("leaves the mode of an existing directory alone", () => {
    const dir = mkdtempSync(join(root, "existing-"));
    chmodSync(dir, 0o755);
    open(join(dir, "auth.db"));
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it("synchronous: normal keeps what was committed, as full does, across a reopen", async () => {
    const path = join(freshDir(), "auth.db");
    const fast = SqliteAuthStore.open(path, { synchronous: "normal" });
    await fast.bindAddress("0xnormal", { algorithm: "Ed25519", publicKey: "aa" });
    await fast.close();
    const again = SqliteAuthStore.open(path);
    expect(await again.bindAddress("0xnormal", { algorithm: "Ed25519", publicKey: "bb" })).toStrictEqual({ algorithm: "Ed25519", publicKey: "aa" });
    await again.close();
  });

  it("the file is in WAL mode at schema version 3", () => {
    const path = join(freshDir(), "auth.db");
    open(path);
    const raw = new Database(path, { readonly: true });
    try {
      expect([raw.pragma("journal_mode", { simple: true }), raw.pragma("user_version", { simple: true })]).toStrictEqual(["wal", 3]);
    } finally {
      raw.close();
    }
  });

  it("refuses a file from a newer schema version, naming both versions", () => {
    const path = join(freshDir(), "auth.db");
    open(path);
    const raw = new Database(path);
    raw.pragma("user_version = 7");
    raw.close();
    expect(() => SqliteAuthStore.open(path)).toThrow(`${path} has schema version 7, but this pico-server-auth knows versions up to 3: a newer version wrote it; upgrade pico-server-auth`);
  });

  it("a second store on the same file sees the first one's commits, and writers on both stay consistent", async () => {
    const path = join(freshDir(), "auth.db");
    const a = open(path);
    const b = open(path);
    await a.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" });
    expect(await b.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "bb" })).toStrictEqual({ algorithm: "Ed25519", publicKey: "aa" });
    await b.createFamily(family("f1"), access("f1-a0"));
    expect(await a.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10)).toMatchObject({ outcome: "rotated" });
    expect(await b.redeemRefresh("f1-r0", next("f1-r2"), access("f1-a2"), 11)).toStrictEqual({ outcome: "reused" });
    expect((await a.family("f1"))?.revokedAt).toBe(11);
    await a.addSigningKey(key("k1", 100), undefined);
    await b.addSigningKey(key("k2", 200), "k1");
    expect(await a.signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 }, key("k2", 200)]);
  });

  it("addSigningKey is one transaction: a duplicate kid fails and retires nothing", async () => {
    const store = open(join(freshDir(), "auth.db"));
    await store.addSigningKey(key("k1", 100), undefined);
    await expect(store.addSigningKey(key("k1", 200), "k1")).rejects.toThrow("UNIQUE constraint failed: signing_keys.kid");
    expect(await store.signingKeys()).toStrictEqual([key("k1", 100)]);
  });

  it("close() is idempotent, and a call after it fails naming the method and the file", async () => {
    const path = join(freshDir(), "auth.db");
    const store = SqliteAuthStore.open(path);
    await store.close();
    await store.close();
    await expect(store.family("f1")).rejects.toThrow(`SqliteAuthStore.family() was called after close() on ${path}; open the store again to use it`);
    await expect(store.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" })).rejects.toThrow("SqliteAuthStore.bindAddress() was called after close()");
    await expect(store.importLegacyFiles(freshDir(), async () => "kid")).rejects.toThrow("SqliteAuthStore.importLegacyFiles() was called after close()");
  });
});

describe("SqliteAuthStore.importLegacyFiles", () => {
  const privateJwk = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" };
  const mlDsaSeed = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  let dir: string;
  let store: SqliteAuthStore;
  let kidCalls: [string, string][];
  const kidOf = async (alg: string, material: string) => {
    kidCalls.push([alg, material]);
    return `kid-of-${alg}`;
  };
  const line = (address: string, publicKey: string) => `${JSON.stringify({ address, algorithm: "Ed25519", publicKey })}\n`;
  const holder = async (address: string) => (await store.bindAddress(address, { algorithm: "probe", publicKey: "probe" })).publicKey;

  beforeEach(() => {
    dir = mkdtempSync(join(root, "legacy-"));
    store = SqliteAuthStore.open(join(dir, "auth.db"));
    kidCalls = [];
  });
  afterEach(() => store.close());

  it("imports a classical key as {privateJwk} created at the file's time, under the kid the callback computes", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }, null, 2));
    utimesSync(join(dir, "signing-key.json"), 1_700_000_000, 1_700_000_123.9);
    expect(await store.importLegacyFiles(dir, kidOf)).toBe("the EdDSA signing key");
    const material = JSON.stringify({ privateJwk });
    expect(kidCalls).toStrictEqual([["EdDSA", material]]);
    expect(await store.signingKeys()).toStrictEqual([{ kid: "kid-of-EdDSA", alg: "EdDSA", material, createdAt: 1_700_000_123 }]);
  });

  it("imports an ML-DSA-65 key as {mlDsaSeed}", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "ML-DSA-65", mlDsaSeed }));
    await store.importLegacyFiles(dir, kidOf);
    const [stored] = await store.signingKeys();
    expect([stored?.kid, stored?.alg, stored?.material]).toStrictEqual(["kid-of-ML-DSA-65", "ML-DSA-65", JSON.stringify({ mlDsaSeed })]);
  });

  it("imports bindings first line per address wins, skips torn lines, and leaves both files in place", async () => {
    const key = JSON.stringify({ alg: "EdDSA", privateJwk });
    // A crash tore the "0xb" line; the next append landed behind it, so "0xc"'s first line is lost too.
    const bindings = `${line("0xa", "a1")}${line("0xb", "b1").slice(0, 20)}${line("0xc", "c1")}${line("0xa", "a2")}${line("0xd", "d1")}\n${line("0xc", "c2")}${line("0xe", "e1").slice(0, 25)}`;
    writeFileSync(join(dir, "signing-key.json"), key);
    writeFileSync(join(dir, "wallet-bindings.jsonl"), bindings);
    expect(await store.importLegacyFiles(dir, kidOf)).toBe("the EdDSA signing key and 3 address bindings");
    expect([await holder("0xa"), await holder("0xb"), await holder("0xc"), await holder("0xd"), await holder("0xe")]).toStrictEqual(["a1", "probe", "c2", "d1", "probe"]);
    expect(readFileSync(join(dir, "signing-key.json"), "utf8")).toBe(key);
    expect(readFileSync(join(dir, "wallet-bindings.jsonl"), "utf8")).toBe(bindings);
  });

  it("imports bindings without a key file", async () => {
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    expect(await store.importLegacyFiles(dir, kidOf)).toBe("1 address binding");
    expect(await store.signingKeys()).toStrictEqual([]);
    expect(await holder("0xa")).toBe("a1");
  });

  it("imports nothing, and reads no key, when the database already has a binding", async () => {
    await store.bindAddress("0xnew", { algorithm: "Ed25519", publicKey: "n1" });
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    expect(await store.importLegacyFiles(dir, kidOf)).toBeUndefined();
    expect([kidCalls, await store.signingKeys(), await holder("0xa")]).toStrictEqual([[], [], "probe"]);
  });

  it("imports nothing when the database already has a key, so a second import is a no-op", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
    await store.importLegacyFiles(dir, kidOf);
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    expect(await store.importLegacyFiles(dir, kidOf)).toBeUndefined();
    expect([(await store.signingKeys()).length, await holder("0xa")]).toStrictEqual([1, "probe"]);
  });

  it("returns undefined when there are no files, or no directory", async () => {
    expect(await store.importLegacyFiles(dir, kidOf)).toBeUndefined();
    expect(await store.importLegacyFiles(join(dir, "missing"), kidOf)).toBeUndefined();
  });

  it("refuses a key file that is not a key, naming what it holds but no values, and imports no binding either", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "RS256", mlDsaSeed: "secret-seed" }));
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    const error = await store.importLegacyFiles(dir, kidOf).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `${join(dir, "signing-key.json")} is not a signing key: expected {"alg": ..., "privateJwk": {...}} or {"alg": "ML-DSA-65", "mlDsaSeed": "..."}, got an object with ["alg","mlDsaSeed"] and alg "RS256"`,
    );
    expect((error as Error).message).not.toContain("secret-seed");
    expect(await holder("0xa")).toBe("probe");
  });

  it("refuses a key file that is not JSON", async () => {
    writeFileSync(join(dir, "signing-key.json"), '{"alg": "EdDSA", "privateJwk": {');
    await expect(store.importLegacyFiles(dir, kidOf)).rejects.toThrow(`${join(dir, "signing-key.json")} is not JSON (`);
  });

  it("refuses a bindings line that is JSON but not a binding, naming the line", async () => {
    writeFileSync(join(dir, "wallet-bindings.jsonl"), `${line("0xa", "a1")}{"address":"0xb","publicKey":7}\n`);
    await expect(store.importLegacyFiles(dir, kidOf)).rejects.toThrow(
      `${join(dir, "wallet-bindings.jsonl")} line 2 is not a binding: expected {"address", "algorithm", "publicKey"} strings, got {"address":"0xb","publicKey":7}`,
    );
    expect(await holder("0xa")).toBe("probe");
  });

  it("imports nothing when the kid callback fails", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    await expect(store.importLegacyFiles(dir, async () => Promise.reject(new Error("bad key")))).rejects.toThrow("bad key");
    expect([await store.signingKeys(), await holder("0xa")]).toStrictEqual([[], "probe"]);
  });

  it("a second store that imported meanwhile wins: the first imports nothing", async () => {
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    const other = SqliteAuthStore.open(join(dir, "auth.db"));
    try {
      // The other process imports while this one is computing the kid (after its first emptiness check).
      const slowKid = async (alg: string, material: string) => {
        await other.bindAddress("0xother", { algorithm: "Ed25519", publicKey: "o1" });
        return kidOf(alg, material);
      };
      writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
      expect(await store.importLegacyFiles(dir, slowKid)).toBeUndefined();
      expect([await store.signingKeys(), await holder("0xa"), existsSync(join(dir, "signing-key.json"))]).toStrictEqual([[], "probe", true]);
    } finally {
      await other.close();
    }
  });
});

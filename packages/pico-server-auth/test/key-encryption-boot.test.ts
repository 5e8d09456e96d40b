/**
 * Private signing keys encrypted at rest: what the SQLite file holds with a key encryption key, what
 * boot does with a wrong one, none, plaintext keys of an earlier version, damaged rows, and what it
 * logs. The sealing itself is in key-encryption.test.ts.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Application, ApplicationOptions } from "pico-boot";
import { AesKeyEncryption, KEY_ENCRYPTION, KeyEncryptionError, ServerAuthSettings, SigningKeys } from "../src/index.js";
import { ADMIN, postJson, quiet, serverApp } from "./support.js";

const root = mkdtempSync(join(tmpdir(), "pico-kek-boot-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);

const hexKey = () => randomBytes(32).toString("hex");
const idOf = (hex: string) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex").slice(0, 8);
const durable = (dataDir: string, server: Record<string, unknown> = {}, options: Partial<ApplicationOptions> = {}): Application =>
  serverApp({ server: { store: "sqlite", data_dir: dataDir, ...server }, ...options });

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}
/** A logger that keeps what it is given. */
function recording() {
  const lines: Line[] = [];
  const at = (level: string) => (message: unknown, fields?: Record<string, unknown>) => void lines.push({ level, message: String(message), fields });
  return { lines, logger: { ...quiet, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}
const events = (lines: readonly Line[], event: string) => lines.filter((l) => l.fields?.event === event);

/** The signing_keys rows, read straight from the file while no server runs. */
function storedKeys(dataDir: string): { kid: string; material: string }[] {
  const db = new Database(join(dataDir, "auth.db"), { readonly: true });
  try {
    return db.prepare<[], { kid: string; material: string }>("SELECT kid, material FROM signing_keys ORDER BY seq").all();
  } finally {
    db.close();
  }
}
function setMaterial(dataDir: string, kid: string, material: string): void {
  const db = new Database(join(dataDir, "auth.db"));
  try {
    db.prepare("UPDATE signing_keys SET material = ? WHERE kid = ?").run(material, kid);
  } finally {
    db.close();
  }
}
const kidsOf = async (app: Application) => ((await (await app.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
async function login(app: Application): Promise<string> {
  const res = await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}
/** Boots `app` and returns the error boot failed with: the first KeyEncryptionError of the cause chain. */
async function bootFailure(app: Application): Promise<{ error: KeyEncryptionError; message: string }> {
  try {
    await app.init();
  } catch (error) {
    let e: unknown = error;
    while (e instanceof Error && !(e instanceof KeyEncryptionError)) e = e.cause;
    expect(e, String(error)).toBeInstanceOf(KeyEncryptionError);
    return { error: e as KeyEncryptionError, message: (error as Error).message };
  } finally {
    await app.stop();
  }
  throw new Error("expected boot to fail, it succeeded");
}
/** A store whose keys were written by `server` (one key, or two after a rotation); returns their kids, oldest first. */
async function writtenStore(dataDir: string, server: Record<string, unknown>, rotations = 0): Promise<string[]> {
  const app = durable(dataDir, server);
  await app.init();
  for (let i = 0; i < rotations; i++) await app.container.get(SigningKeys).rotate();
  await app.stop();
  return storedKeys(dataDir).map((k) => k.kid);
}

describe("private signing keys sealed at rest in the SQLite store", () => {
  it("a copy of the data dir holds no private key bytes, of any algorithm, only sealed text; a restart with the key opens it and old tokens still verify", async () => {
    for (const algorithm of ["RS256", "ES256", "EdDSA", "ML-DSA-65"]) {
      const dataDir = freshDir();
      const key = hexKey();
      const first = durable(dataDir, { key_encryption_key: key, algorithm });
      const token = await login(first);
      const kek = first.container.get(KEY_ENCRYPTION);
      await first.stop();

      const [row, ...others] = storedKeys(dataDir);
      expect(others).toStrictEqual([]);
      expect(row?.material, algorithm).toMatch(new RegExp(`^pico-kek:v1:${idOf(key)}:`));
      // What the material opens to: the private part a copy of the file would otherwise leak.
      const opened = JSON.parse(await kek.open(row?.material as string)) as { privateJwk?: { d: string }; mlDsaSeed?: string };
      const secret = opened.privateJwk?.d ?? opened.mlDsaSeed;
      expect(secret, algorithm).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      // Every byte a copy of the data dir holds (auth.db, its WAL, the marker): neither the secret's text nor its raw bytes.
      const copy = Buffer.concat(readdirSync(dataDir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => readFileSync(join(dataDir, f.name))));
      for (const part of [Buffer.from(secret as string), Buffer.from(secret as string, "base64url"), Buffer.from("privateJwk"), Buffer.from("mlDsaSeed")]) expect(copy.includes(part), algorithm).toBe(false);

      const second = durable(dataDir, { key_encryption_key: key, algorithm });
      expect(await kidsOf(second)).toStrictEqual([row?.kid]);
      expect(second.container.get(SigningKeys).verified(token)?.header.kid).toBe(row?.kid);
      await second.stop();
    }
  });

  it("a wrong key encryption key fails boot with KEY_ENCRYPTION_MISMATCH naming the key id it needs, in one line and no crypto error", async () => {
    const dataDir = freshDir();
    const key = hexKey();
    const [kid] = await writtenStore(dataDir, { key_encryption_key: key });
    const other = hexKey();
    const { error, message } = await bootFailure(durable(dataDir, { key_encryption_key: other }));
    expect([error.code, error.status]).toStrictEqual(["KEY_ENCRYPTION_MISMATCH", 500]);
    expect(error.message).toBe(
      `signing key ${kid}: it is sealed by key encryption key ${idOf(key)} (the first 8 hex digits of the key's SHA-256), which is not server_auth.key_encryption_key (${idOf(other)}): configure key ${idOf(key)}, as key_encryption_key or in key_encryption_key_previous after a change of key`,
    );
    // What run() prints: the boot error's message, which carries this one.
    expect(message).toContain(error.message);
    expect(message).not.toMatch(/unable to authenticate|Unsupported state/);
    // Neither key is in any message.
    for (const secret of [key, other]) expect(message).not.toContain(secret);
    // Nothing was written: the store still holds its one key, sealed as it was.
    expect(storedKeys(dataDir).map((k) => k.kid)).toStrictEqual([kid]);
  });

  it("sealed keys and no key encryption key configured fail boot with KEY_ENCRYPTION_MISMATCH saying which key to set", async () => {
    const dataDir = freshDir();
    const key = hexKey();
    const [kid] = await writtenStore(dataDir, { key_encryption_key: key });
    const { error } = await bootFailure(durable(dataDir));
    expect(error.code).toBe("KEY_ENCRYPTION_MISMATCH");
    expect(error.message).toContain(`signing key ${kid}: it is sealed by key encryption key ${idOf(key)}`);
    expect(error.message).toContain("but none is configured: set server_auth.key_encryption_key (env SERVER_AUTH__KEY_ENCRYPTION_KEY) or key_encryption_key_file to that key");
  });

  it("tampered sealed material fails boot with KEY_MATERIAL_DAMAGED naming the key, not a crypto error", async () => {
    const dataDir = freshDir();
    const key = hexKey();
    const [kid] = await writtenStore(dataDir, { key_encryption_key: key });
    const sealed = storedKeys(dataDir)[0]?.material as string;
    // A character before the last base64 group: each of its 6 bits is data (the last character's low
    // bits may be padding, which decoding ignores, so changing it could alter nothing).
    const at = sealed.length - 8;
    setMaterial(dataDir, kid as string, `${sealed.slice(0, at)}${sealed[at] === "A" ? "B" : "A"}${sealed.slice(at + 1)}`);
    const { error, message } = await bootFailure(durable(dataDir, { key_encryption_key: key }));
    expect([error.code, error.message]).toStrictEqual([
      "KEY_MATERIAL_DAMAGED",
      `signing key ${kid}: its material, sealed by key encryption key ${idOf(key)}, fails its integrity check (altered or damaged): restore the store from a backup`,
    ]);
    expect(message).not.toMatch(/unable to authenticate|Unsupported state/);
  });

  it("sealed material moved to another key's row is refused (KEY_MATERIAL_DAMAGED): the kid names the key it must hold", async () => {
    const dataDir = freshDir();
    const key = hexKey();
    const [older, newer] = await writtenStore(dataDir, { key_encryption_key: key }, 1);
    const rows = storedKeys(dataDir);
    // The row that signs gets the retired key's material: it would sign as another key.
    setMaterial(dataDir, newer as string, rows[0]?.material as string);
    const { error } = await bootFailure(durable(dataDir, { key_encryption_key: key }));
    expect([error.code, error.message]).toStrictEqual(["KEY_MATERIAL_DAMAGED", `signing key ${newer}: its stored material is another key's (kid ${older}): restore the store from a backup`]);
  });

  it("key_encryption_key_file: the key is read from the file; the material is sealed under its id", async () => {
    const dataDir = freshDir();
    const key = hexKey();
    const file = join(root, `kek-${dirs}`);
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    await writtenStore(dataDir, { key_encryption_key_file: file });
    expect(storedKeys(dataDir)[0]?.material).toMatch(new RegExp(`^pico-kek:v1:${idOf(key)}:`));
    // The same key given inline opens it.
    const app = durable(dataDir, { key_encryption_key: key });
    expect(await kidsOf(app)).toStrictEqual(storedKeys(dataDir).map((k) => k.kid));
    await app.stop();
  });

  it("both key_encryption_key and its file, or a key of the wrong form, fail boot before the store opens, never echoing the value", async () => {
    const dataDir = freshDir();
    const file = join(root, `both-${dirs}`);
    writeFileSync(file, hexKey());
    for (const [server, expected] of [
      [{ key_encryption_key: hexKey(), key_encryption_key_file: file }, "server_auth.key_encryption_key and server_auth.key_encryption_key_file are both set"],
      [{ key_encryption_key: "s3cret-passphrase-not-a-key" }, "server_auth.key_encryption_key must be 32 bytes as 64 hex characters or as base64"],
    ] as const) {
      const app = durable(dataDir, server);
      const error = await app.init().then(() => undefined, (e: unknown) => e);
      await app.stop();
      const messages: string[] = [];
      for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
      expect(messages.join(" <- ")).toContain(expected);
      expect(messages.join(" <- ")).not.toContain("s3cret-passphrase");
    }
    // Refused while components are constructed: no onInit ran, so the store was never opened (nor created).
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("what an operator sees: the auth server as a plain Node process, configured by env", () => {
  const server = fileURLToPath(new URL("./fixtures/auth-server.mjs", import.meta.url));
  const built = fileURLToPath(new URL("../dist/keys/sealed-material.js", import.meta.url));
  const source = fileURLToPath(new URL("../src/keys/sealed-material.ts", import.meta.url));
  /** Runs the server on `dataDir` until it exits (a refused boot) or listens (then it is killed): whether it listened, its exit code and output. */
  function run(dataDir: string, env: Record<string, string>): Promise<{ listened: boolean; code: number | null; output: string }> {
    const child = spawn(process.execPath, [server, dataDir], { env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let listened = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // Killed, not stopped: the signal handlers are installed just after this line, and a stop is not what is tested.
      if (!listened && output.includes("listening on")) child.kill("SIGKILL");
      listened ||= output.includes("listening on");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    return new Promise((resolve) => child.on("close", (code) => resolve({ listened, code, output })));
  }

  it("SERVER_AUTH__KEY_ENCRYPTION_KEY seals; a wrong one exits 1 with one line naming the key id needed, no stack; SERVER_AUTH__KEY_ENCRYPTION_KEY_PREVIOUS lets it boot", { timeout: 30_000 }, async () => {
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) throw new Error(`${built} is missing or older than its source: run "pnpm build" so the server runs the current code`);
    const dataDir = freshDir();
    const [key, other] = [hexKey(), hexKey()];
    const first = await run(dataDir, { SERVER_AUTH__KEY_ENCRYPTION_KEY: key });
    expect(first.listened, first.output).toBe(true);
    expect(storedKeys(dataDir)[0]?.material).toMatch(new RegExp(`^pico-kek:v1:${idOf(key)}:`));

    const refused = await run(dataDir, { SERVER_AUTH__KEY_ENCRYPTION_KEY: other });
    expect([refused.listened, refused.code]).toStrictEqual([false, 1]);
    const lines = refused.output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pico-boot: cannot start: /);
    expect(lines[0]).toContain(`it is sealed by key encryption key ${idOf(key)}`);
    for (const secret of [key, other]) expect(refused.output).not.toContain(secret);

    const rotated = await run(dataDir, { SERVER_AUTH__KEY_ENCRYPTION_KEY: other, SERVER_AUTH__KEY_ENCRYPTION_KEY_PREVIOUS: `${hexKey()},${key}` });
    expect(rotated.listened, rotated.output).toBe(true);
    expect(rotated.output).toContain("1 sealed by a previous key encryption key");
  });
});

describe("keys written without a key encryption key", () => {
  it("plaintext keys of an earlier version still load once a key is set; boot says how many are unsealed (info, once); the next key is sealed", async () => {
    const dataDir = freshDir();
    const [kid] = await writtenStore(dataDir, {});
    expect(storedKeys(dataDir)[0]?.material.startsWith('{"privateJwk"')).toBe(true);
    const key = hexKey();
    const { lines, logger } = recording();
    const app = durable(dataDir, { key_encryption_key: key }, { logger });
    expect(await kidsOf(app)).toStrictEqual([kid]);
    const unsealed = events(lines, "auth.keys_unsealed");
    expect(unsealed.map((l) => [l.level, l.fields])).toStrictEqual([["info", { event: "auth.keys_unsealed", plaintext: 1, previous: 0 }]]);
    expect(unsealed[0]?.message).toContain(`1 stored in plaintext, written before a key encryption key was set (${kid}), of 1 signing keys`);
    expect(events(lines, "auth.keys_unencrypted")).toStrictEqual([]);
    await app.container.get(SigningKeys).rotate();
    await app.stop();
    const rows = storedKeys(dataDir);
    expect(rows.map((r) => [r.kid === kid, r.material.startsWith(`pico-kek:v1:${idOf(key)}:`)])).toStrictEqual([
      [true, false],
      [false, true],
    ]);
  });

  it("changing the key encryption key: key_encryption_key_previous opens the old keys, boot counts them, new keys are sealed by the new one", async () => {
    const dataDir = freshDir();
    const [old, current] = [hexKey(), hexKey()];
    const [kid] = await writtenStore(dataDir, { key_encryption_key: old });
    const { lines, logger } = recording();
    const app = durable(dataDir, { key_encryption_key: current, key_encryption_key_previous: [old] }, { logger });
    expect(await kidsOf(app)).toStrictEqual([kid]);
    expect(events(lines, "auth.keys_unsealed").map((l) => l.fields)).toStrictEqual([{ event: "auth.keys_unsealed", plaintext: 0, previous: 1 }]);
    await app.container.get(SigningKeys).rotate();
    await app.stop();
    expect(storedKeys(dataDir).map((r) => r.material.slice(0, 21))).toStrictEqual([`pico-kek:v1:${idOf(old)}:`, `pico-kek:v1:${idOf(current)}:`]);
  });

  it("no key encryption key: boot warns once (auth.keys_unencrypted) that keys are stored in plaintext and how to set one; not with store: memory, nor with a key", async () => {
    const { lines, logger } = recording();
    const app = durable(freshDir(), {}, { logger });
    await login(app);
    await app.container.get(SigningKeys).rotate();
    await app.stop();
    const warned = events(lines, "auth.keys_unencrypted");
    expect(warned.map((l) => l.level)).toStrictEqual(["warn"]);
    expect(warned[0]?.message).toBe(
      "pico-server-auth: no server_auth.key_encryption_key: private signing keys are stored in plaintext in the sqlite store, and a copy of it can sign tokens. " +
        "Set one: generate it with `openssl rand -hex 32`, pass it as SERVER_AUTH__KEY_ENCRYPTION_KEY or in a file named by server_auth.key_encryption_key_file",
    );
    for (const server of [{ store: "memory" }, { key_encryption_key: hexKey() }]) {
      const quietRun = recording();
      const other = durable(freshDir(), server, { logger: quietRun.logger });
      await other.init();
      await other.stop();
      expect(events(quietRun.lines, "auth.keys_unencrypted")).toStrictEqual([]);
      expect(events(quietRun.lines, "auth.keys_unsealed")).toStrictEqual([]);
    }
  });

  it("a KMS replaces the default: its seal is what the store gets, its open what loads", async () => {
    const dataDir = freshDir();
    const wraps: string[] = [];
    const kms = { enabled: true, seal: async (m: string) => (wraps.push("seal"), `kms:${Buffer.from(m).toString("base64url")}`), open: async (s: string) => (wraps.push("open"), Buffer.from(s.slice(4), "base64url").toString()) };
    const { component } = await import("pico-ioc");
    @component({ provides: KEY_ENCRYPTION })
    class FakeKms {
      enabled = kms.enabled;
      seal = kms.seal;
      open = kms.open;
    }
    const app = durable(dataDir, {}, { components: [FakeKms] });
    await app.init();
    expect(app.container.get(KEY_ENCRYPTION)).toBeInstanceOf(FakeKms);
    await app.stop();
    expect(storedKeys(dataDir)[0]?.material.startsWith("kms:")).toBe(true);
    const again = durable(dataDir, {}, { components: [FakeKms] });
    expect(await kidsOf(again)).toStrictEqual(storedKeys(dataDir).map((k) => k.kid));
    await again.stop();
    expect(wraps).toStrictEqual(["seal", "open"]);
    // The default stays the provider when nothing replaces it.
    expect(new AesKeyEncryption(new ServerAuthSettings()).enabled).toBe(false);
  });
});

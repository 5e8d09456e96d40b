/**
 * The default KEY_ENCRYPTION on its own: AES-256-GCM sealing of signing-key material, and the
 * key_encryption_key settings it reads. Boot behaviour (stores, logs) is in key-encryption-boot.test.ts.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AesKeyEncryption, KeyEncryptionError, ServerAuthConfigurationError, ServerAuthSettings, checkServerAuthSettings } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "pico-kek-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hexKey = () => randomBytes(32).toString("hex");
const idOf = (hex: string) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex").slice(0, 8);
function settings(values: Partial<Pick<ServerAuthSettings, "keyEncryptionKey" | "keyEncryptionKeyFile" | "keyEncryptionKeyPrevious">>): ServerAuthSettings {
  return Object.assign(new ServerAuthSettings(), values);
}
const encryption = (values: Parameters<typeof settings>[0]) => new AesKeyEncryption(settings(values));
/** The error `promise` rejects with (a test fails if it resolves). */
async function failure(promise: Promise<unknown>): Promise<KeyEncryptionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(KeyEncryptionError);
  return error as KeyEncryptionError;
}
function configError(values: Parameters<typeof settings>[0]): string {
  try {
    checkServerAuthSettings(settings(values));
  } catch (error) {
    expect(error).toBeInstanceOf(ServerAuthConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error, the settings passed");
}

const MATERIAL = JSON.stringify({ privateJwk: { kty: "OKP", crv: "Ed25519", x: "pub", d: "the-private-part" } });

describe("sealing signing-key material with a key encryption key (AES-256-GCM)", () => {
  it("seal → open gives the material back; sealed text names the key id and holds none of the material; every seal differs", async () => {
    const key = hexKey();
    const kek = encryption({ keyEncryptionKey: key });
    const sealed = await kek.seal(MATERIAL);
    expect(kek.enabled).toBe(true);
    expect(sealed).toMatch(new RegExp(`^pico-kek:v1:${idOf(key)}:[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain("the-private-part");
    expect(sealed).not.toContain(Buffer.from("the-private-part").toString("base64url").slice(0, 12));
    expect(await kek.open(sealed)).toBe(MATERIAL);
    // A random IV per seal: the same material never seals to the same text.
    expect(await kek.seal(MATERIAL)).not.toBe(sealed);
  });

  it("without a key: disabled, material stored as it is; plaintext material (an earlier version's) opens with or without a key", async () => {
    const none = encryption({});
    expect([none.enabled, await none.seal(MATERIAL), await none.open(MATERIAL)]).toStrictEqual([false, MATERIAL, MATERIAL]);
    expect(await encryption({ keyEncryptionKey: hexKey() }).open(MATERIAL)).toBe(MATERIAL);
  });

  it("a wrong key, or none, is KEY_ENCRYPTION_MISMATCH naming the key id that sealed it, not a crypto error", async () => {
    const key = hexKey();
    const sealed = await encryption({ keyEncryptionKey: key }).seal(MATERIAL);
    const other = hexKey();
    const wrong = await failure(encryption({ keyEncryptionKey: other }).open(sealed));
    expect([wrong.code, wrong.status]).toStrictEqual(["KEY_ENCRYPTION_MISMATCH", 500]);
    expect(wrong.message).toContain(`sealed by key encryption key ${idOf(key)}`);
    expect(wrong.message).toContain(`which is not server_auth.key_encryption_key (${idOf(other)})`);
    const none = await failure(encryption({}).open(sealed));
    expect(none.code).toBe("KEY_ENCRYPTION_MISMATCH");
    expect(none.message).toContain(`sealed by key encryption key ${idOf(key)} (the first 8 hex digits of the key's SHA-256), but none is configured: set server_auth.key_encryption_key`);
  });

  it("a previous key opens what it sealed; the current one seals", async () => {
    const [old, current] = [hexKey(), hexKey()];
    const sealedBefore = await encryption({ keyEncryptionKey: old }).seal(MATERIAL);
    const rotated = encryption({ keyEncryptionKey: current, keyEncryptionKeyPrevious: [old] });
    expect(await rotated.open(sealedBefore)).toBe(MATERIAL);
    const sealedNow = await rotated.seal(MATERIAL);
    expect([rotated.sealedBy(sealedBefore), rotated.sealedBy(sealedNow), rotated.keyId]).toStrictEqual([idOf(old), idOf(current), idOf(current)]);
    // And once the previous key is dropped, what it sealed no longer opens.
    expect((await failure(encryption({ keyEncryptionKey: current }).open(sealedBefore))).code).toBe("KEY_ENCRYPTION_MISMATCH");
  });

  it("tampered or malformed sealed text is KEY_MATERIAL_DAMAGED, with a message for the operator", async () => {
    const key = hexKey();
    const kek = encryption({ keyEncryptionKey: key });
    const sealed = await kek.seal(MATERIAL);
    // One bit of the ciphertext flipped (the last character holds tag bits).
    const [head, body] = sealed.split(".") as [string, string];
    const bytes = Buffer.from(body, "base64url");
    bytes[0] = (bytes[0] as number) ^ 1;
    const tampered = await failure(kek.open(`${head}.${bytes.toString("base64url")}`));
    expect([tampered.code, tampered.message]).toStrictEqual([
      "KEY_MATERIAL_DAMAGED",
      `its material, sealed by key encryption key ${idOf(key)}, fails its integrity check (altered or damaged): restore the store from a backup`,
    ]);
    expect(tampered.cause).toBeInstanceOf(Error);
    // Another IV: GCM authenticates it too.
    expect((await failure(kek.open(sealed.replace(/:([A-Za-z0-9_-])([A-Za-z0-9_-]{15})\./, (_, c: string, rest: string) => `:${c === "A" ? "B" : "A"}${rest}.`)))).code).toBe("KEY_MATERIAL_DAMAGED");
    const cut = await failure(kek.open(sealed.slice(0, sealed.indexOf("."))));
    expect([cut.code, cut.message]).toStrictEqual(["KEY_MATERIAL_DAMAGED", "its stored material is malformed sealed text (expected pico-kek:v1:<key id>:<iv>.<ciphertext>): restore the store from a backup"]);
    expect((await failure(kek.open(sealed.replace("pico-kek:v1:", "pico-kek:v9:")))).message).toContain('sealed text of format "v9", which this version cannot open');
  });

  it("the key id is authenticated: sealed text relabelled with another configured key's id does not open", async () => {
    const [a, b] = [hexKey(), hexKey()];
    const sealed = await encryption({ keyEncryptionKey: a }).seal(MATERIAL);
    const both = encryption({ keyEncryptionKey: b, keyEncryptionKeyPrevious: [a] });
    expect(await both.open(sealed)).toBe(MATERIAL);
    expect((await failure(both.open(sealed.replace(idOf(a), idOf(b))))).code).toBe("KEY_MATERIAL_DAMAGED");
  });
});

describe("server_auth.key_encryption_key and its file, checked at boot", () => {
  it("64 hex characters, or base64 / base64url of 32 bytes, surrounding white space ignored: the same key", async () => {
    const raw = randomBytes(32);
    const forms = [raw.toString("hex"), raw.toString("hex").toUpperCase(), raw.toString("base64"), raw.toString("base64url"), ` ${raw.toString("base64")}\n`];
    const ids = forms.map((keyEncryptionKey) => encryption({ keyEncryptionKey }).keyId);
    expect(ids).toStrictEqual(forms.map(() => idOf(raw.toString("hex"))));
  });

  it("a value of another form fails boot naming the setting and what is expected, never echoing the value", () => {
    const tooShort = randomBytes(16).toString("hex");
    const notHex = `${"z".repeat(62)}00`;
    const base64Of31 = randomBytes(31).toString("base64");
    for (const value of [tooShort, notHex, base64Of31, "", "correct horse battery staple"]) {
      const message = configError({ keyEncryptionKey: value });
      expect(message).toBe(`server_auth.key_encryption_key must be 32 bytes as 64 hex characters or as base64 (e.g. the output of \`openssl rand -hex 32\`); got ${value.trim().length} characters that are neither`);
      if (value !== "") expect(message).not.toContain(value);
    }
    expect(configError({ keyEncryptionKey: hexKey(), keyEncryptionKeyPrevious: ["nope"] })).toContain("server_auth.key_encryption_key_previous[0] must be 32 bytes");
  });

  it("key_encryption_key_file: its trimmed content is the key; an unreadable file fails boot naming the setting and the path", () => {
    const key = hexKey();
    const file = join(dir, "kek");
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    expect(encryption({ keyEncryptionKeyFile: file }).keyId).toBe(idOf(key));
    const missing = join(dir, "missing");
    expect(configError({ keyEncryptionKeyFile: missing })).toBe(
      `server_auth.key_encryption_key_file: cannot read ${missing} (ENOENT); it must hold the key encryption key, 32 bytes as 64 hex characters or as base64 (e.g. the output of \`openssl rand -hex 32\`)`,
    );
    const wrong = join(dir, "wrong");
    writeFileSync(wrong, "secret-but-not-a-key");
    const message = configError({ keyEncryptionKeyFile: wrong });
    expect(message).toContain(`server_auth.key_encryption_key_file (${wrong}) must be 32 bytes`);
    expect(message).not.toContain("secret-but-not-a-key");
  });

  it("both key_encryption_key and key_encryption_key_file, or previous keys without a current one, fail boot", () => {
    const file = join(dir, "both");
    writeFileSync(file, hexKey());
    expect(configError({ keyEncryptionKey: hexKey(), keyEncryptionKeyFile: file })).toBe(
      "server_auth.key_encryption_key and server_auth.key_encryption_key_file are both set: keep one (the file, to keep the key out of the environment)",
    );
    expect(configError({ keyEncryptionKeyPrevious: [hexKey()] })).toContain("server_auth.key_encryption_key_previous is set without server_auth.key_encryption_key");
    // The control: none at all is valid (boot warns, see key-encryption-boot.test.ts).
    expect(() => checkServerAuthSettings(settings({}))).not.toThrow();
  });
});

import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AddressBinding } from "../bindings/binding-store.js";
import type { StoredSigningKey } from "../keys/signing-key-store.js";

/** What an earlier version kept as files in the data directory, before the SQLite store. */
const LEGACY_KEY_FILE = "signing-key.json";
const LEGACY_BINDINGS_FILE = "wallet-bindings.jsonl";

/** Computes a key's kid from its `alg` and serialised material, as SigningKeys does. */
export type KidOf = (alg: string, material: string) => Promise<string>;

export type LegacyBinding = AddressBinding & { readonly address: string };

/** Reads a data-directory file, or undefined when it does not exist. */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The earlier version's `{alg, privateJwk}` or `{alg, mlDsaSeed}`, as a stored key created when the file was written. */
export async function readLegacyKey(dir: string, kidOf: KidOf): Promise<StoredSigningKey | undefined> {
  const path = join(dir, LEGACY_KEY_FILE);
  const text = await readOptional(path);
  if (text === undefined) return undefined;
  const expected = `expected {"alg": ..., "privateJwk": {...}} or {"alg": "ML-DSA-65", "mlDsaSeed": "..."}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The file was written by rename, so it is never torn: unparseable means damaged, and the key is at stake.
    throw new Error(`${path} is not JSON (${(error as Error).message}); ${expected}`);
  }
  const file = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { alg?: unknown; privateJwk?: unknown; mlDsaSeed?: unknown };
  const { alg } = file;
  let material: string | undefined;
  if (alg === "ML-DSA-65" && typeof file.mlDsaSeed === "string") material = JSON.stringify({ mlDsaSeed: file.mlDsaSeed });
  else if (typeof alg === "string" && alg !== "ML-DSA-65" && typeof file.privateJwk === "object" && file.privateJwk !== null) material = JSON.stringify({ privateJwk: file.privateJwk });
  if (material === undefined || typeof alg !== "string") {
    // Names only the members found, never their values: they are private key material.
    const found = typeof parsed === "object" && parsed !== null ? `an object with ${JSON.stringify(Object.keys(parsed))} and alg ${JSON.stringify(alg)}` : JSON.stringify(typeof parsed);
    throw new Error(`${path} is not a signing key: ${expected}, got ${found}`);
  }
  // The file's time is when the key was generated: the file was written once, then only read.
  const createdAt = Math.floor((await stat(path)).mtimeMs / 1000);
  return { kid: await kidOf(alg, material), alg, material, createdAt };
}

/** The earlier version's bindings, in file order (the first line for an address is the binding that held). */
export async function readLegacyBindings(dir: string): Promise<LegacyBinding[]> {
  const path = join(dir, LEGACY_BINDINGS_FILE);
  const text = await readOptional(path);
  if (text === undefined) return [];
  const bindings: LegacyBinding[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A crash mid-append tears the last line, and a later append can land behind it on the same line.
      // The earlier version skipped such lines too, so no binding that held is lost by skipping them.
      continue;
    }
    const { address, algorithm, publicKey } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    if (typeof address !== "string" || typeof algorithm !== "string" || typeof publicKey !== "string") {
      throw new Error(`${path} line ${i + 1} is not a binding: expected {"address", "algorithm", "publicKey"} strings, got ${line.length > 200 ? `${line.slice(0, 200)}...` : line}`);
    }
    bindings.push({ address, algorithm, publicKey });
  }
  return bindings;
}

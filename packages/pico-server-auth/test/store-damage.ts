import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { ADMIN, postJson, serverApp } from "./support.js";
import type { Application, ApplicationOptions } from "pico-boot";

/** The auth server on the SQLite store in `dataDir`. */
export const durable = (dataDir: string, server: Record<string, unknown> = {}, options: Partial<ApplicationOptions> = {}): Application =>
  serverApp({ server: { store: "sqlite", data_dir: dataDir, ...server }, ...options });

/** A store as a server leaves it: booted (first signing key, marker), a session started, stopped cleanly. Returns the marker's kid and the session's refresh token. */
export async function usedStore(dataDir: string): Promise<{ kid: string; refreshToken: string }> {
  const app = durable(dataDir);
  const res = await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
  expect(res.status).toBe(200);
  const { refresh_token } = (await res.json()) as { refresh_token: string };
  await app.stop();
  return { kid: markerKid(dataDir), refreshToken: refresh_token };
}

export const markerKid = (dataDir: string): string => (JSON.parse(readFileSync(join(dataDir, "store.json"), "utf8")) as { first_signing_key: string }).first_signing_key;

/** SHA-256 of the file, or "absent". */
export const digest = (path: string): string => (existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "absent");

/**
 * Writes random bytes over one b-tree page, leaving the file's header intact: the root page of the
 * table or index `name`, or else the one in the middle of the roots in use.
 */
export function garbageInTheMiddle(path: string, name?: string): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const roots = db.prepare<[], { name: string; rootpage: number }>("SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 1 ORDER BY rootpage").all();
  db.close();
  const page = (name === undefined ? roots[Math.floor(roots.length / 2)] : roots.find((r) => r.name === name))?.rootpage;
  if (page === undefined) throw new Error(`no b-tree ${name} in ${path}`);
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

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

/** Writes random bytes over the b-tree page in the middle of the file's pages in use (a table or an index root), leaving the header intact. */
export function garbageInTheMiddle(path: string): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const roots = db.prepare<[], { rootpage: number }>("SELECT rootpage FROM sqlite_schema WHERE rootpage > 1 ORDER BY rootpage").all().map((r) => r.rootpage);
  db.close();
  const page = roots[Math.floor(roots.length / 2)] as number;
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

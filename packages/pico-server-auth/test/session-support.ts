/** Calls of the session tests: an embedded app (server + guard), admin login, refresh, a protected route, the feed. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { Application } from "pico-boot";
import { ADMIN, Profile, postJson, serverApp } from "./support.js";

export type Tokens = { access_token: string; refresh_token: string; token_type: string; expires_in: number };
export const FEED_BEARER = "feed-credential-for-tests-32-chars";

/** pico-server-auth and pico-client-auth in one Application, with a protected `/api/profile`. */
export function embeddedApp(server: Record<string, unknown> = {}, client: Record<string, unknown> = {}): Application {
  return serverApp({ embedded: true, components: [Profile], server: { revocation_feed_bearer: FEED_BEARER, ...server }, client });
}

/** The same, keeping its state in a new SQLite data dir (pass the dir again to restart on that state). */
export function durableApp(dataDir: string, server: Record<string, unknown> = {}, client: Record<string, unknown> = {}): Application {
  return embeddedApp({ store: "sqlite", data_dir: dataDir, ...server }, client);
}

export const newDataDir = (): string => join(mkdtempSync(join(tmpdir(), "pico-auth-")), "state");

export async function login(a: Application): Promise<Tokens> {
  const res = await a.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

export const refresh = (a: Application, refresh_token: unknown): Promise<Response> => a.request("/api/v1/auth/refresh", postJson({ refresh_token }));
export const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });
export const profile = (a: Application, token: string): Promise<Response> => a.request("/api/profile", bearer(token));

/** Status and JSON body of a response (undefined for a 204). */
export async function answer(res: Response | Promise<Response>): Promise<[number, unknown]> {
  const r = await res;
  return [r.status, r.status === 204 ? undefined : await r.json()];
}

export async function feed(a: Application): Promise<string[]> {
  const res = await a.request("/api/v1/auth/revocations", bearer(FEED_BEARER));
  return ((await res.json()) as { items: { jti: string }[] }).items.map((i) => i.jti);
}

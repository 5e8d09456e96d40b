/**
 * What the token responses carry: RFC 9068 access tokens (`typ: at+jwt`, `client_id`, `jti`, `iat`),
 * RFC 6749 §5.1 fields, and the JWT refresh tokens of schema version 1 still redeemed once.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { SigningKeys } from "../src/index.js";
import { ADMIN, claimsOf, ed25519Wallet, serverConfig, walletSignIn } from "./support.js";
import { answer, durableApp, embeddedApp, login, newDataDir, profile, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as Record<string, unknown>;
const jwksOf = async (a: Application) => createLocalJWKSet((await (await a.request("/api/v1/auth/jwks")).json()) as never);
const ours = { issuer: serverConfig.issuer, audience: serverConfig.audience };

describe("access tokens (RFC 9068)", () => {
  it("carry typ at+jwt, client_id (the audience by default), jti and iat; jose with typ at+jwt and pico-client-auth's guard accept them", async () => {
    const a = embeddedApp();
    const before = Math.floor(Date.now() / 1000);
    const { access_token } = await login(a);
    expect(headerOf(access_token)).toMatchObject({ typ: "at+jwt" });
    const { payload } = await jwtVerify(access_token, await jwksOf(a), { ...ours, typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: ADMIN.email, client_id: serverConfig.audience, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect((await profile(a, access_token)).status).toBe(200);
    await a.stop();
  });

  it("server_auth.client_id names the client_id; access_token_typ JWT restores upstream's typ, which the guard accepts too", async () => {
    const a = embeddedApp({ client_id: "my-frontend", access_token_typ: "JWT" });
    const { access_token } = await login(a);
    expect(headerOf(access_token)).toMatchObject({ typ: "JWT" });
    expect(claimsOf(access_token).client_id).toBe("my-frontend");
    await expect(jwtVerify(access_token, await jwksOf(a), { ...ours, typ: "at+jwt" })).rejects.toThrow(/typ/);
    expect((await profile(a, access_token)).status).toBe(200);
    // A typ JWT access token is still an access token to the server itself.
    expect((await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${access_token}` } })).status).toBe(204);
    await a.stop();
  });

  it("access_token_typ accepts only at+jwt and JWT", async () => {
    await expect(embeddedApp({ access_token_typ: "jwt+at" }).init()).rejects.toThrow(/access_token_typ/);
  });
});

describe("token responses (RFC 6749 §5.1)", () => {
  it("login, sign-in and refresh answer token_type Bearer and expires_in, the access token's lifetime in seconds", async () => {
    const a = embeddedApp({ access_token_expire_minutes: 20 });
    const fromLogin = await login(a);
    const fromSignIn = (await (await walletSignIn(a, ed25519Wallet())).json()) as Tokens;
    const fromRefresh = (await (await refresh(a, fromLogin.refresh_token)).json()) as Tokens;
    for (const tokens of [fromLogin, fromSignIn, fromRefresh]) {
      expect([tokens.token_type, tokens.expires_in]).toEqual(["Bearer", 1200]);
      const claims = claimsOf(tokens.access_token);
      expect((claims.exp as number) - (claims.iat as number)).toBe(1200);
    }
    await a.stop();
  });
});

describe("upgrade from schema version 1 (JWT refresh tokens)", () => {
  it("a JWT refresh token of version 1 is redeemed once for an opaque one; presenting it again is reuse and revokes the session", async () => {
    const dataDir = newDataDir();
    const first = durableApp(dataDir);
    await first.init();
    // What version 1 issued: a refresh JWT of the app's key, and its session stored under "jti:" + its jti.
    const now = Math.floor(Date.now() / 1000);
    const [sid, jti] = [randomUUID(), randomUUID()];
    const legacy = await first.container.get(SigningKeys).sign({ sub: "0xold", iss: ours.issuer, aud: ours.audience, iat: now, exp: now + 86_400, sid, jti, type: "refresh" });
    await first.stop();
    const db = new Database(join(dataDir, "auth.db"));
    db.prepare("INSERT INTO refresh_families (id, sub, role, claims, current_hash, expires_at, started_at) VALUES (?, '0xold', 'wallet', ?, ?, ?, ?)").run(sid, JSON.stringify({ algorithm: "Ed25519", wallet_address: "0xold" }), `jti:${jti}`, now + 86_400, now);
    db.prepare("INSERT INTO refresh_tokens (hash, family_id) VALUES (?, ?)").run(`jti:${jti}`, sid);
    db.close();

    const upgraded = durableApp(dataDir);
    const res = await refresh(upgraded, legacy);
    const tokens = (await res.json()) as Tokens;
    expect(res.status).toBe(200);
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(claimsOf(tokens.access_token)).toMatchObject({ sub: "0xold", sid, role: "wallet", wallet_address: "0xold" });
    expect(await answer(refresh(upgraded, legacy))).toEqual([401, { detail: "refresh token already used: the session is revoked; sign in again" }]);
    expect(await answer(profile(upgraded, tokens.access_token))).toEqual([401, { detail: "Token revoked" }]);
    expect(await answer(refresh(upgraded, tokens.refresh_token))).toEqual([401, { detail: "session revoked; sign in again" }]);
    await upgraded.stop();
  });
});

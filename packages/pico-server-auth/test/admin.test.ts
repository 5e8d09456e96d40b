/**
 * The admin-only routes: the server checks the admin's access token itself (AdminBearer), with or
 * without pico-client-auth's guard loaded.
 */
import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { Application } from "pico-boot";
import { AdminBearer, BINDING_STORE, AdminLogin, SigningKeys, checksumAddress } from "../src/index.js";
import { claimsOf, ed25519Wallet, postJson, secp256k1Wallet, serverApp, walletSignIn } from "./support.js";
import { answer, embeddedApp, login, profile, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

const REVOKE = "/api/v1/auth/admin/sessions/revoke";
const revokeAs = (a: Application, token: string | undefined, body: unknown = { sub: "0xw" }) =>
  a.request(REVOKE, postJson(body, token === undefined ? {} : { authorization: `Bearer ${token}` }));
const unbindAs = (a: Application, token: string, address: string) => a.request(`/api/v1/auth/admin/bindings/${encodeURIComponent(address)}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
const INVALID = 'Bearer realm="admin", error="invalid_token"';

async function refused(res: Promise<Response>): Promise<[number, string | null, unknown]> {
  const r = await res;
  return [r.status, r.headers.get("www-authenticate"), await r.json()];
}

describe("POST /api/v1/auth/admin/sessions/revoke", () => {
  it("an admin ends every session of a subject: 200 {revoked: n}, their access tokens refused at once", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const wallet = ed25519Wallet();
    const sessions = [] as Tokens[];
    for (let i = 0; i < 2; i++) sessions.push((await (await walletSignIn(a, wallet)).json()) as Tokens);
    const res = await revokeAs(a, admin.access_token, { sub: wallet.address });
    expect([res.status, res.headers.get("cache-control"), await res.json()]).toEqual([200, "no-store", { revoked: 2 }]);
    for (const tokens of sessions) {
      expect(await answer(profile(a, tokens.access_token))).toEqual([401, { detail: "Token revoked" }]);
      expect(await answer(refresh(a, tokens.refresh_token))).toEqual([401, { detail: "session revoked; sign in again" }]);
    }
    expect(await answer(revokeAs(a, admin.access_token, { sub: wallet.address }))).toEqual([200, { revoked: 0 }]);
    expect(await answer(revokeAs(a, admin.access_token, { sub: "nobody" }))).toEqual([200, { revoked: 0 }]);
    // The admin's own session is untouched.
    expect((await profile(a, admin.access_token)).status).toBe(200);
    await a.stop();
  });

  it("400 for a body without a usable sub, after the admin check", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const detail = "sub required: a non-empty string of at most 320 characters";
    for (const body of [{}, { sub: "" }, { sub: 42 }, { sub: null }, { sub: "a".repeat(321) }]) {
      expect(await answer(revokeAs(a, admin.access_token, body))).toEqual([400, { detail }]);
    }
    expect(await answer(revokeAs(a, admin.access_token, [1]))).toEqual([400, { detail: "expected a JSON object body" }]);
    // Without a credential, the body is not even read.
    expect((await revokeAs(a, undefined, {})).status).toBe(401);
    await a.stop();
  });
});

describe("the admin check", () => {
  it("401 with WWW-Authenticate without a valid admin access token; 403 for a wallet's", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const other = serverApp();
    const foreign = await login(other);
    const wallet = (await (await walletSignIn(a, ed25519Wallet())).json()) as Tokens;
    expect(await refused(revokeAs(a, undefined))).toEqual([401, 'Bearer realm="admin"', { detail: "admin access token required" }]);
    const [h, p] = admin.access_token.split(".") as [string, string];
    const attacker = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const invalid = [
      "garbage",
      admin.refresh_token,
      foreign.access_token,
      // Our header and payload, signed by a key the server never had.
      `${h}.${p}.${nodeSign("sha256", Buffer.from(`${h}.${p}`), attacker).toString("base64url")}`,
      // A payload changed under the signature: our key, our claims, role admin claimed by a wallet.
      `${wallet.access_token.split(".")[0]}.${Buffer.from(JSON.stringify({ ...claimsOf(wallet.access_token), role: "admin" })).toString("base64url")}.${wallet.access_token.split(".")[2]}`,
    ];
    for (const token of invalid) expect(await refused(revokeAs(a, token)), token.slice(0, 30)).toEqual([401, INVALID, { detail: "invalid or revoked access token" }]);
    const res = await revokeAs(a, wallet.access_token);
    expect([res.status, res.headers.get("www-authenticate"), await res.json()]).toEqual([403, 'Bearer realm="admin", error="insufficient_scope"', { detail: "admin role required" }]);
    await Promise.all([a.stop(), other.stop()]);
  });

  it("refuses an expired admin token, one of a logged-out session, one of another issuer or audience, and a legacy refresh JWT with role admin", async () => {
    const a = embeddedApp();
    await a.init();
    const keys = a.container.get(SigningKeys);
    const now = Math.floor(Date.now() / 1000);
    const admin = await login(a);
    const claims = claimsOf(admin.access_token);
    // Tokens the server's own key signed, each wrong in one way.
    const signed = (change: Record<string, unknown>, typ = "at+jwt") => keys.sign({ ...claims, ...change }, typ);
    const wrong = [await signed({ iss: "https://elsewhere" }), await signed({ aud: "other-app" }), await signed({ exp: now - 1 }), await signed({ type: "refresh" }, "JWT"), await signed({}, "JWS")];
    for (const token of wrong) expect(await refused(revokeAs(a, token))).toEqual([401, INVALID, { detail: "invalid or revoked access token" }]);
    // The check's own clock: the real token once it has expired.
    const bearer = a.container.get(AdminBearer);
    bearer.now = () => (claims.exp as number) + 1;
    expect((await revokeAs(a, admin.access_token)).status).toBe(401);
    bearer.now = () => Math.floor(Date.now() / 1000);
    expect((await revokeAs(a, admin.access_token)).status).toBe(200);
    await a.request("/api/v1/auth/logout", postJson({ refresh_token: admin.refresh_token }));
    expect(await refused(revokeAs(a, admin.access_token))).toEqual([401, INVALID, { detail: "invalid or revoked access token" }]);
    await a.stop();
  });

  it("an admin token of a session begun under an older admin credential is refused at once", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    vi.spyOn(a.container.get(AdminLogin), "currentStamp").mockResolvedValue("admin:2");
    expect(await refused(revokeAs(a, admin.access_token))).toEqual([401, INVALID, { detail: "admin credentials changed or admin login disabled; sign in again" }]);
    await a.stop();
  });

  it("works without pico-client-auth loaded, and is public to its guard when it is", async () => {
    const alone = serverApp();
    const admin = await login(alone);
    expect(await answer(revokeAs(alone, admin.access_token))).toEqual([200, { revoked: 0 }]);
    expect((await revokeAs(alone, undefined)).status).toBe(401);
    await alone.stop();
    // With the guard loaded, its answers would be "Invalid token: ..." details; these are the route's own.
    const guarded = embeddedApp();
    expect(await answer(revokeAs(guarded, "x"))).toEqual([401, { detail: "invalid or revoked access token" }]);
    await guarded.stop();
  });
});

describe("DELETE /api/v1/auth/admin/bindings/{address}", () => {
  it("unbinds: 204, the address's sessions end and another key may bind it; 404 when it is not bound", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const [squatter, owner] = [ed25519Wallet(), ed25519Wallet()];
    // A squat that an earlier version allowed: the owner's address bound to another key. Bindings
    // made before keep working for their key, so only an operator can end it.
    const store = a.container.get(BINDING_STORE);
    await store.bindAddress(owner.address, { algorithm: squatter.algorithm, publicKey: squatter.publicKeyHex });
    const squatted = (await (await walletSignIn(a, squatter, owner.address)).json()) as Tokens;
    expect((await walletSignIn(a, owner)).status).toBe(401);
    expect(await answer(unbindAs(a, admin.access_token, owner.address))).toEqual([204, undefined]);
    expect(await answer(profile(a, squatted.access_token))).toEqual([401, { detail: "Token revoked" }]);
    expect(await store.binding(owner.address)).toBeUndefined();
    expect((await walletSignIn(a, owner)).status).toBe(200);
    expect(await store.binding(owner.address)).toStrictEqual({ algorithm: owner.algorithm, publicKey: owner.publicKeyHex });
    expect(await answer(unbindAs(a, admin.access_token, "0xnever"))).toEqual([404, { detail: "address is not bound" }]);
    expect(await answer(unbindAs(a, admin.access_token, "%zz"))).toEqual([404, { detail: "address is not bound" }]);
    await a.stop();
  });

  it("finds the address as sign-in does: an EIP-55 or upper-case form unbinds the lower-case binding and ends its sessions", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const store = a.container.get(BINDING_STORE);
    for (const form of [checksumAddress, (address: string) => `0x${address.slice(2).toUpperCase()}`]) {
      const signer = secp256k1Wallet();
      const session = (await (await walletSignIn(a, signer)).json()) as Tokens;
      expect(await store.binding(signer.address)).toBeDefined();
      expect(form(signer.address)).not.toBe(signer.address);
      expect(await answer(unbindAs(a, admin.access_token, form(signer.address)))).toEqual([204, undefined]);
      expect(await store.binding(signer.address)).toBeUndefined();
      expect(await answer(profile(a, session.access_token))).toEqual([401, { detail: "Token revoked" }]);
      expect((await refresh(a, session.refresh_token)).status).toBe(401);
      expect(await answer(unbindAs(a, admin.access_token, form(signer.address)))).toEqual([404, { detail: "address is not bound" }]);
    }
    // A binding of exactly the string sent (a case twin made by an earlier version) is the one unbound.
    const [twin, lower] = [ed25519Wallet(), ed25519Wallet()];
    const upper = `0x${lower.address.slice(2).toUpperCase()}`;
    await store.bindAddress(upper, { algorithm: twin.algorithm, publicKey: twin.publicKeyHex });
    expect((await walletSignIn(a, lower)).status).toBe(200);
    expect(await answer(unbindAs(a, admin.access_token, upper))).toEqual([204, undefined]);
    expect([await store.binding(upper), await store.binding(lower.address)]).toStrictEqual([undefined, { algorithm: lower.algorithm, publicKey: lower.publicKeyHex }]);
    await a.stop();
  });

  it("needs an admin access token", async () => {
    const a = embeddedApp();
    const signer = ed25519Wallet();
    const wallet = (await (await walletSignIn(a, signer)).json()) as Tokens;
    expect((await unbindAs(a, wallet.access_token, signer.address)).status).toBe(403);
    expect((await a.request(`/api/v1/auth/admin/bindings/${signer.address}`, { method: "DELETE" })).status).toBe(401);
    // Still bound, to that key.
    expect(await a.container.get(BINDING_STORE).binding(signer.address)).toStrictEqual({ algorithm: signer.algorithm, publicKey: signer.publicKeyHex });
    await a.stop();
  });
});

/**
 * The attack catalogue (docs/security.md), token side, with real tokens of pico-server-auth checked
 * by pico-client-auth's guard in the same Application: keys rotated out or withdrawn, sessions logged
 * out, and tokens used where the other kind belongs.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign as nodeSign } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { SigningKeys } from "../src/index.js";
import { ADMIN, Profile, postJson, serverApp } from "./support.js";

type Tokens = { access_token: string; refresh_token: string };
const ACCESS_MINUTES = 15;
const app = () => serverApp({ embedded: true, components: [Profile], server: { access_token_expire_minutes: ACCESS_MINUTES } });

async function login(a: Application): Promise<Tokens> {
  const res = await a.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

async function profile(a: Application, token: string) {
  const res = await a.request("/api/profile", { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** POSTs `{refresh_token}` to a session endpoint: its status and JSON body (204 has none). */
async function withRefreshToken(a: Application, endpoint: "refresh" | "logout", refreshToken: string) {
  const res = await a.request(`/api/v1/auth/${endpoint}`, postJson({ refresh_token: refreshToken }));
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as unknown) };
}

const refused = (detail: string) => ({ status: 401, body: { detail } });

describe("attacks with real tokens", () => {
  it("a valid access token whose key was rotated out of the JWKS is refused", async () => {
    const a = app();
    const old = await login(a);
    const keys = a.container.get(SigningKeys);
    await keys.rotate();
    // Still published (its tokens have not expired yet): accepted.
    expect((await profile(a, old.access_token)).status).toBe(200);
    // Once the retired key's window has passed it is out of the JWKS; the token itself is still
    // unexpired by the guard's (real) clock, and is refused for want of its key.
    const rotatedAt = keys.now();
    keys.now = () => rotatedAt + ACCESS_MINUTES * 60 + 61;
    expect(await profile(a, old.access_token)).toEqual(refused("Invalid token: no matching signing key"));
    await a.stop();
  });

  it("a valid access token whose key was withdrawn is refused at once; its opaque refresh token, signed by no key, gets tokens of the current key", async () => {
    const a = app();
    const leaked = await login(a);
    const keys = a.container.get(SigningKeys);
    await keys.rotate();
    expect((await profile(a, leaked.access_token)).status).toBe(200);
    await keys.withdraw(JSON.parse(Buffer.from(leaked.access_token.split(".")[0] as string, "base64url").toString()).kid as string);
    expect(await profile(a, leaked.access_token)).toEqual(refused("Invalid token: no matching signing key"));
    const refreshed = await withRefreshToken(a, "refresh", leaked.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await profile(a, (refreshed.body as Tokens).access_token)).status).toBe(200);
    await a.stop();
  });

  it("an access token of a logged-out session is refused as revoked, though its signature and exp are fine", async () => {
    const a = app();
    const tokens = await login(a);
    const other = await login(a);
    expect((await profile(a, tokens.access_token)).status).toBe(200);
    expect((await withRefreshToken(a, "logout", tokens.refresh_token)).status).toBe(204);
    expect(await profile(a, tokens.access_token)).toEqual(refused("Token revoked"));
    // Only that session: the other one still works.
    expect((await profile(a, other.access_token)).status).toBe(200);
    await a.stop();
  });

  it("a refresh token used as an access token is refused by the guard; an access token is refused by /refresh", async () => {
    const a = app();
    const tokens = await login(a);
    expect(await profile(a, tokens.refresh_token)).toEqual(refused("Invalid token: malformed"));
    expect(await withRefreshToken(a, "refresh", tokens.access_token)).toEqual(refused("invalid refresh token"));
    await a.stop();
  });

  it("forged refresh tokens (alg none, HS256 with the JWKS key, an embedded jwk, a SQL kid, crit, a swapped payload, opaque look-alikes) are refused and revoke nothing", async () => {
    const a = app();
    const victim = await login(a);
    // Forged as the JWT refresh tokens of earlier versions (still redeemable once): from the victim's access token.
    const [h, accessPayload, s] = victim.access_token.split(".") as [string, string, string];
    const header = JSON.parse(Buffer.from(h, "base64url").toString()) as Record<string, unknown>;
    const payload = { ...(JSON.parse(Buffer.from(accessPayload, "base64url").toString()) as Record<string, unknown>), type: "refresh" };
    const p = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const jwks = ((await (await a.request("/api/v1/auth/jwks")).json()) as { keys: Record<string, unknown>[] }).keys;
    const pem = createPublicKey({ key: jwks[0] as never, format: "jwk" }).export({ type: "spki", format: "pem" });
    const attacker = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const signedBy = (key: Parameters<typeof nodeSign>[2], head: Record<string, unknown>, body: Record<string, unknown>) => {
      const input = `${b64(head)}.${b64(body)}`;
      return `${input}.${nodeSign("sha256", Buffer.from(input), key).toString("base64url")}`;
    };
    const hs256 = (() => {
      const input = `${b64({ ...header, alg: "HS256" })}.${p}`;
      return `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
    })();
    const forgeries = [
      `${b64({ ...header, alg: "none" })}.${p}.`,
      hs256,
      signedBy(attacker.privateKey, { ...header, jwk: attacker.publicKey.export({ format: "jwk" }) }, payload),
      signedBy(attacker.privateKey, { ...header, kid: "' OR 1=1 --" }, payload),
      signedBy(attacker.privateKey, { ...header, kid: "../../etc/passwd" }, payload),
      `${b64({ ...header, crit: ["exp"] })}.${p}.${s}`,
      `${h}.${b64({ ...payload, sub: "someone-else" })}.${s}`,
      `${h}.${p}.${s.slice(0, -6)}`,
      `${h}.${p}.${s}`,
      // Opaque look-alikes: another random token, the victim's with one character changed, cut short.
      randomBytes(32).toString("base64url"),
      `${victim.refresh_token.slice(0, -1)}${victim.refresh_token.endsWith("A") ? "B" : "A"}`,
      victim.refresh_token.slice(0, -1),
    ];
    for (const forged of forgeries) {
      expect(await withRefreshToken(a, "refresh", forged), forged.slice(0, 40)).toEqual(refused("invalid refresh token"));
      expect(await withRefreshToken(a, "logout", forged)).toEqual(refused("invalid token"));
    }
    // None of them counted as reuse of the victim's refresh token, nor logged the victim out.
    expect((await profile(a, victim.access_token)).status).toBe(200);
    expect((await withRefreshToken(a, "refresh", victim.refresh_token)).status).toBe(200);
    await a.stop();
  });
});

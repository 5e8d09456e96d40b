/**
 * Sessions an operator can end (issue 14): an absolute lifetime no refresh extends, revoking every
 * session of a subject, admin sessions that follow the admin account, and a rate limit on /refresh.
 */
import { describe, expect, it, vi } from "vitest";
import { ADDRESS_BINDINGS, AdminLogin, BINDING_STORE, REVOCATION_STORE, SESSION_STORE, SessionController, Sessions, walletKeyStamp } from "../src/index.js";
import { ADMIN, askChallenge, claimsOf, ed25519Wallet, inProcessState, postJson, secp256k1Wallet, walletSignIn } from "./support.js";
import type { Wallet } from "./support.js";
import { answer, durableApp, embeddedApp, feed, login, newDataDir, profile, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

const DAY = 86_400;
const sidOf = (tokens: Tokens) => claimsOf(tokens.access_token).sid as string;

describe("absolute session lifetime (server_auth.session_max_days)", () => {
  it("no refresh extends a session past session_max_days: token expiries are capped at its end, then 401 session expired", async () => {
    const a = embeddedApp({ session_max_days: 2, refresh_token_expire_days: 7, access_token_expire_minutes: 15 });
    await a.init();
    const sessions = a.container.get(Sessions);
    const store = a.container.get(SESSION_STORE);
    const t0 = Math.floor(Date.now() / 1000);
    let clock = t0;
    sessions.now = () => clock;
    const first = await login(a);
    const end = t0 + 2 * DAY;
    // The first refresh token already ends with the session, not 7 days on.
    expect((await store.family(sidOf(first)))?.expiresAt).toBe(end);

    // Refreshing every day does not slide the end.
    clock = t0 + DAY;
    const second = (await (await refresh(a, first.refresh_token)).json()) as Tokens;
    expect((await store.family(sidOf(second)))?.expiresAt).toBe(end);
    // Ten minutes before the end: the access token lives ten minutes, not fifteen.
    clock = end - 600;
    const last = await refresh(a, second.refresh_token);
    const lastTokens = (await last.json()) as Tokens;
    expect([last.status, claimsOf(lastTokens.access_token).exp, lastTokens.expires_in]).toEqual([200, end, 600]);

    clock = end;
    expect(await answer(refresh(a, lastTokens.refresh_token))).toEqual([401, { detail: "session expired; sign in again" }]);
    // Expired, not revoked: no reuse was counted, nothing was added to the feed.
    expect(await feed(a)).toEqual([]);
    await a.stop();
  });

  it("a session that began before session_max_days was lowered ends at the lower limit", async () => {
    const dataDir = newDataDir();
    const before = durableApp(dataDir, { session_max_days: 30 });
    const tokens = await login(before);
    await before.stop();
    const after = durableApp(dataDir, { session_max_days: 1 });
    await after.init();
    const started = claimsOf(tokens.access_token).iat as number;
    after.container.get(Sessions).now = () => started + DAY;
    expect(await answer(refresh(after, tokens.refresh_token))).toEqual([401, { detail: "session expired; sign in again" }]);
    await after.stop();
  });

  it("session_max_days is an integer from 1 to 3650", async () => {
    for (const value of [0, 3651, 1.5, "ten"]) {
      await expect(embeddedApp({ session_max_days: value }).init(), String(value)).rejects.toThrow(/session_max_days/);
    }
  });
});

describe("Sessions.revokeSubject", () => {
  it("ends every session of a subject at once (refresh tokens and access tokens), and no one else's", async () => {
    const a = embeddedApp();
    const [one, two] = [await login(a), await login(a)];
    const wallet = (await (await walletSignIn(a, ed25519Wallet())).json()) as Tokens;
    expect(await a.container.get(Sessions).revokeSubject(ADMIN.email)).toBe(2);
    for (const tokens of [one, two]) {
      expect(await answer(profile(a, tokens.access_token))).toEqual([401, { detail: "Token revoked" }]);
      expect(await answer(refresh(a, tokens.refresh_token))).toEqual([401, { detail: "session revoked; sign in again" }]);
    }
    expect((await feed(a)).sort()).toEqual([one, two].map((t) => claimsOf(t.access_token).jti).sort());
    expect((await profile(a, wallet.access_token)).status).toBe(200);
    expect((await refresh(a, wallet.refresh_token)).status).toBe(200);
    // Already ended: nothing more to revoke. A new login is a new session.
    expect(await a.container.get(Sessions).revokeSubject(ADMIN.email)).toBe(0);
    expect((await profile(a, (await login(a)).access_token)).status).toBe(200);
    await a.stop();
  });
});

describe("admin sessions follow the admin account", () => {
  it("an admin session records the account's stamp; a wallet session the stamp of the key that signed in", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const signer = ed25519Wallet();
    const wallet = (await (await walletSignIn(a, signer)).json()) as Tokens;
    const store = a.container.get(SESSION_STORE);
    expect((await store.family(sidOf(admin)))?.stamp).toBe(await a.container.get(AdminLogin).currentStamp());
    expect((await store.family(sidOf(admin)))?.stamp).toEqual(expect.any(String));
    expect((await store.family(sidOf(wallet)))?.stamp).toBe(walletKeyStamp({ algorithm: "Ed25519", publicKey: signer.publicKeyHex }));
    expect(walletKeyStamp({ algorithm: "Ed25519", publicKey: signer.publicKeyHex })).toMatch(/^key:[0-9a-f]{64}$/);
    await a.stop();
  });

  it("once the admin credential changes, the next refresh revokes the session: 401, and its access tokens are refused at once", async () => {
    const a = embeddedApp();
    const admin = await login(a);
    const wallet = (await (await walletSignIn(a, ed25519Wallet())).json()) as Tokens;
    vi.spyOn(a.container.get(AdminLogin), "currentStamp").mockResolvedValue("admin:2");
    expect(await answer(refresh(a, admin.refresh_token))).toEqual([401, { detail: "admin credentials changed or admin login disabled; sign in again" }]);
    expect(await answer(profile(a, admin.access_token))).toEqual([401, { detail: "Token revoked" }]);
    expect(await feed(a)).toEqual([claimsOf(admin.access_token).jti]);
    expect(await answer(refresh(a, admin.refresh_token))).toEqual([401, { detail: "session revoked; sign in again" }]);
    // Wallet sessions do not follow the admin account.
    expect((await refresh(a, wallet.refresh_token)).status).toBe(200);
    // A login under the new credential is a session that refreshes.
    expect((await refresh(a, (await login(a)).refresh_token)).status).toBe(200);
    await a.stop();
  });

  it("after a restart with auto_create_admin off, an admin session's refresh token is refused and the session revoked", async () => {
    const dataDir = newDataDir();
    const before = durableApp(dataDir);
    const admin = await login(before);
    await before.stop();
    const after = durableApp(dataDir, { auto_create_admin: false, admin_password: undefined });
    expect(await answer(refresh(after, admin.refresh_token))).toEqual([401, { detail: "admin credentials changed or admin login disabled; sign in again" }]);
    expect(await answer(profile(after, admin.access_token))).toEqual([401, { detail: "Token revoked" }]);
    await after.stop();
  });
});

describe("wallet sessions follow the binding of their address", () => {
  const MOVED = [401, { detail: "the address was moved to another key or unbound: session revoked; sign in again" }];
  /** The /move body by which `from` (holding its address) moves it to `to`. */
  async function moveBody(a: Awaited<ReturnType<typeof embeddedApp>>, from: Wallet, to: Wallet) {
    const issued = await askChallenge(a, from, from.address, { move_to: { algorithm: to.algorithm, public_key: to.publicKeyHex } });
    return { address: from.address, challenge: issued.challenge, signature: from.sign(issued.message), public_key: from.publicKeyHex, algorithm: from.algorithm, new_signature: to.sign(issued.message), new_public_key: to.publicKeyHex, new_algorithm: to.algorithm };
  }

  it("a move or an unbind the revocation missed still ends the address's sessions at their next refresh (401, revoked, access tokens refused)", async () => {
    const a = embeddedApp();
    await a.init();
    const store = a.container.get(BINDING_STORE);
    const [moved, unbound, next] = [secp256k1Wallet(), ed25519Wallet(), ed25519Wallet()];
    const movedSession = (await (await walletSignIn(a, moved)).json()) as Tokens;
    const unboundSession = (await (await walletSignIn(a, unbound)).json()) as Tokens;
    // The binding changes without revokeSubject (as if the revoke ran before these sessions were stored).
    const held = await store.binding(moved.address);
    expect(await store.moveAddress(moved.address, held!, { algorithm: "Ed25519", publicKey: next.publicKeyHex })).toBe(true);
    expect(await store.unbindAddress(unbound.address)).toBe(true);
    for (const session of [movedSession, unboundSession]) {
      expect(await answer(refresh(a, session.refresh_token))).toEqual(MOVED);
      expect(await answer(profile(a, session.access_token))).toEqual([401, { detail: "Token revoked" }]);
      expect(await answer(refresh(a, session.refresh_token))).toEqual([401, { detail: "session revoked; sign in again" }]);
    }
    // The key the address moved to signs in, and its session refreshes.
    expect((await refresh(a, ((await (await walletSignIn(a, next, moved.address)).json()) as Tokens).refresh_token)).status).toBe(200);
    await a.stop();
  });

  it("a sign-in by the old key that passed its check before a move completed gets no session that outlives the move", async () => {
    const a = embeddedApp();
    await a.init();
    const [old, next] = [secp256k1Wallet(), ed25519Wallet()];
    expect((await walletSignIn(a, old)).status).toBe(200);
    const body = await moveBody(a, old, next);
    // The whole move (binding changed, sessions revoked) lands between the sign-in's claim and its session.
    const bindings = a.container.get(ADDRESS_BINDINGS);
    const claim = bindings.claim.bind(bindings);
    vi.spyOn(bindings, "claim").mockImplementationOnce(async (address, key) => {
      const claimed = await claim(address, key);
      expect((await a.request("/api/v1/auth/move", postJson(body))).status).toBe(200);
      return claimed;
    });
    const raced = await a.request("/api/v1/auth/sign-in", postJson({ ...(await signedIn(a, old)) }));
    expect(await answer(raced)).toEqual(MOVED);
    await a.stop();
  });

  it("the reviewer's race, for real: sign-ins by the old key racing moves leave no session that refreshes", async () => {
    for (let round = 0; round < 8; round++) {
      const a = embeddedApp();
      await a.init();
      const [old, next] = [secp256k1Wallet(), ed25519Wallet()];
      expect((await walletSignIn(a, old)).status).toBe(200);
      const move = await moveBody(a, old, next);
      const signIn = await signedIn(a, old);
      const [moveAnswer, signInAnswer] = await Promise.all([
        a.request("/api/v1/auth/move", postJson(move)),
        (async () => {
          for (let i = 0; i < round % 4; i++) await Promise.resolve();
          return a.request("/api/v1/auth/sign-in", postJson(signIn));
        })(),
      ]);
      expect(moveAnswer.status).toBe(200);
      if (signInAnswer.status === 200) {
        const tokens = (await signInAnswer.json()) as Tokens;
        expect((await refresh(a, tokens.refresh_token)).status).toBe(401);
        expect((await profile(a, tokens.access_token)).status).toBe(401);
      } else {
        expect(signInAnswer.status).toBe(401);
      }
      await a.stop();
    }
  });
});

/** A /sign-in body signed by `wallet` for a fresh challenge. */
async function signedIn(a: Awaited<ReturnType<typeof embeddedApp>>, wallet: Wallet) {
  const issued = await askChallenge(a, wallet);
  return { address: wallet.address, challenge: issued.challenge, signature: wallet.sign(issued.message), public_key: wallet.publicKeyHex, algorithm: wallet.algorithm };
}

describe("POST /refresh rate limit (server_auth.refreshes_per_client)", () => {
  it("a client gets refreshes_per_client refreshes per 60 s, valid or not, then 429 with Retry-After", async () => {
    const a = embeddedApp({ refreshes_per_client: 3 });
    const tokens = await login(a);
    const quota = a.container.get(SessionController).refreshQuota;
    let clock = Date.now();
    quota.now = () => clock;
    (await inProcessState(a)).counters.now = () => clock;
    expect((await refresh(a, "garbage")).status).toBe(401);
    expect((await a.request("/api/v1/auth/refresh", { method: "POST", body: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
    const ok = (await (await refresh(a, tokens.refresh_token)).json()) as Tokens;
    const limited = await refresh(a, ok.refresh_token);
    expect([limited.status, limited.headers.get("retry-after"), await limited.json()]).toEqual([429, "60", { detail: "too many refreshes; try again later" }]);
    // The limited attempt spent nothing: once the window has passed the token still works.
    clock += 60_000;
    expect((await refresh(a, ok.refresh_token)).status).toBe(200);
    await a.stop();
  });
});

describe("once a session change is committed, its answer says so", () => {
  it("a refresh whose rotation committed answers its tokens even when housekeeping after it fails; the old token is then spent, the new one works", async () => {
    const a = embeddedApp();
    await a.init();
    const first = await login(a);
    const sessions = a.container.get(Sessions);
    const t0 = sessions.now();
    // Past the prune interval, so this refresh prunes, and pruning fails as a full disk would.
    sessions.now = () => t0 + 3_700;
    const prune = vi.spyOn(a.container.get(SESSION_STORE), "prune").mockRejectedValue(new Error("SQLITE_FULL: database or disk is full"));
    const refreshed = await refresh(a, first.refresh_token);
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as Tokens;
    expect(prune).toHaveBeenCalled();
    expect((await refresh(a, second.refresh_token)).status).toBe(200);
    await a.stop();
  });

  it("a logout that committed answers 204 even when rereading the revocation list fails, and the list catches up once the store answers", async () => {
    const a = embeddedApp();
    await a.init();
    const tokens = await login(a);
    const reread = vi.spyOn(a.container.get(REVOCATION_STORE), "revokedSince").mockRejectedValueOnce(new Error("SQLITE_IOERR: disk I/O error"));
    expect((await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(204);
    expect(reread).toHaveBeenCalledTimes(1);
    // The retry (every second) rereads the list: the access token is refused from then on.
    await vi.waitFor(async () => expect(await answer(profile(a, tokens.access_token))).toEqual([401, { detail: "Token revoked" }]), { timeout: 3_000 });
    await a.stop();
  });
});

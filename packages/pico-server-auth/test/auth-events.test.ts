/**
 * Security events: each is one warn line with a stable `event` name and the fields that say who and
 * what (never a secret), and is counted in METRICS (a recording Metrics passed as an override).
 */
import { describe, expect, it, vi } from "vitest";
import type { Application } from "pico-boot";
import { METRICS } from "pico-ioc";
import type { Counter, Histogram, LogFields, Logger, MetricLabels, Metrics } from "pico-ioc";
import { SESSION_STORE, SigningKeys, StoreUnavailableError, TOKEN_PATH } from "../src/index.js";
import { exchange, exchangeFields } from "./agent-support.js";
import { ADMIN, Profile, askChallenge, ed25519Wallet, postJson, serverApp, walletSignIn } from "./support.js";
import type { Wallet } from "./support.js";
import { FEED_BEARER, answer, login, newDataDir, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** A Metrics that keeps every instrument made (name, help, labels) and every increment. */
function recordingMetrics() {
  const made: [string, readonly string[]][] = [];
  const samples: { name: string; labels: MetricLabels | undefined; value: number }[] = [];
  const metrics: Metrics = {
    counter(name, _help, labelNames = []): Counter {
      made.push([name, labelNames]);
      return { inc: (labels, value = 1) => void samples.push({ name, labels, value }) };
    },
    histogram(name, _help, labelNames = []): Histogram {
      made.push([name, labelNames]);
      return { observe: (labels, value) => void samples.push({ name, labels, value }) };
    },
  };
  /** Total added to `name` with exactly these labels. */
  const total = (name: string, labels?: MetricLabels) =>
    samples.filter((s) => s.name === name && JSON.stringify(s.labels ?? {}) === JSON.stringify(labels ?? {})).reduce((sum, s) => sum + s.value, 0);
  return { metrics, made, samples, total };
}

/** An embedded app whose lines and counts are recorded; `secrets()` is everything logged, as one string, to search for secrets. */
function recordedApp(server: Record<string, unknown> = {}) {
  const lines: Line[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const recorded = recordingMetrics();
  const app = serverApp({
    embedded: true,
    components: [Profile],
    logger,
    overrides: [{ provide: METRICS, useValue: recorded.metrics }],
    server: { revocation_feed_bearer: FEED_BEARER, ...server },
  });
  const events = (name: string) => lines.filter((l) => l.fields?.event === name);
  const logged = () => JSON.stringify(lines);
  return { app, lines, events, logged, ...recorded };
}

const loginAs = (a: Application, email: string, password: string) => a.request("/api/v1/auth/login", postJson({ email, password }));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A signed /sign-in body for `wallet`, with the challenge it signed. */
async function signedBody(a: Application, wallet: Wallet): Promise<Record<string, string>> {
  const { challenge, message } = await askChallenge(a, wallet);
  return { address: wallet.address, challenge, algorithm: wallet.algorithm, public_key: wallet.publicKeyHex, signature: wallet.sign(message) };
}

describe("pico-server-auth security events", () => {
  it("makes its counters once, with the documented names and labels", async () => {
    const { app, made } = recordedApp();
    await app.init();
    // Made at boot, each once (no instrument is made per request). The store's and the token
    // cache's own instruments are tested with them.
    await login(app);
    const ownInstruments = made.filter(([name]) => name !== "pico_auth_store_duration_seconds" && name !== "pico_auth_token_cache_total");
    expect(ownInstruments).toStrictEqual([
      ["pico_auth_sign_ins_total", ["method"]],
      ["pico_auth_sign_in_failures_total", ["reason"]],
      ["pico_auth_refreshes_total", []],
      ["pico_auth_refresh_reuse_total", []],
      ["pico_auth_throttled_total", ["route"]],
      ["pico_auth_agent_tokens_total", ["subject"]],
      ["pico_auth_token_exchange_failures_total", ["error"]],
    ]);
    await app.stop();
  });

  it("token exchanges are counted: agent tokens by subject, refusals by OAuth error", async () => {
    const { app, total } = recordedApp({ role_scopes: { admin: ["profile:read"] } });
    const { access_token } = await login(app);
    expect((await exchange(app, exchangeFields(access_token))).status).toBe(200);
    expect((await exchange(app, exchangeFields(access_token, { scope: "admin:all" }))).status).toBe(400);
    expect((await app.request(TOKEN_PATH, { method: "POST", body: "x", headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect(total("pico_auth_agent_tokens_total", { subject: "access" })).toBe(1);
    expect([total("pico_auth_token_exchange_failures_total", { error: "invalid_scope" }), total("pico_auth_token_exchange_failures_total", { error: "invalid_request" })]).toEqual([1, 1]);
    await app.stop();
  });

  it("a failed admin login is auth.login_failed at warn with the reason and client, whether the email was the admin's, never the email or password typed; a login is counted by method", async () => {
    const { app, events, lines, logged, total } = recordedApp();
    const typedPassword = "hunter2-typed-as-password";
    const typedEmail = "my-real-password-in-the-email-field";
    expect((await loginAs(app, ADMIN.email, typedPassword)).status).toBe(401);
    expect((await loginAs(app, typedEmail, ADMIN.password)).status).toBe(401);
    expect((await loginAs(app, ADMIN.email, "")).status).toBe(401);
    await login(app);
    const base = { event: "auth.login_failed", route: "/api/v1/auth/login", client: "in-process", method: "password" };
    expect(events("auth.login_failed").map((l) => [l.level, l.fields])).toStrictEqual([
      ["warn", { ...base, reason: "invalid_credentials", admin_email: true }],
      ["warn", { ...base, reason: "invalid_credentials", admin_email: false }],
      ["warn", { ...base, reason: "bad_request" }],
    ]);
    expect(events("auth.login_failed")[0]?.message).toBe("pico-server-auth: sign-in refused (invalid_credentials)");
    expect([total("pico_auth_sign_in_failures_total", { reason: "invalid_credentials" }), total("pico_auth_sign_in_failures_total", { reason: "bad_request" })]).toEqual([2, 1]);
    expect(total("pico_auth_sign_ins_total", { method: "password" })).toBe(1);
    // No other security event (a login is not one), and nothing typed, right or wrong.
    expect(lines.filter((l) => l.level === "warn" && String(l.fields?.event).startsWith("auth."))).toHaveLength(3);
    for (const secret of [typedPassword, typedEmail, ADMIN.password]) expect(logged()).not.toContain(secret);
    await app.stop();
  });

  it("a login the store cannot save is counted as store_unavailable, not as a sign-in, and not logged as the client's failure", async () => {
    const { app, events, total } = recordedApp();
    await app.init();
    vi.spyOn(app.container.get(SESSION_STORE), "createFamily").mockRejectedValueOnce(new StoreUnavailableError("disk I/O error"));
    expect((await loginAs(app, ADMIN.email, ADMIN.password)).status).toBe(503);
    expect([total("pico_auth_sign_in_failures_total", { reason: "store_unavailable" }), total("pico_auth_sign_ins_total", { method: "password" })]).toEqual([1, 0]);
    expect(events("auth.login_failed")).toStrictEqual([]);
    await login(app);
    expect(total("pico_auth_sign_ins_total", { method: "password" })).toBe(1);
    await app.stop();
  });

  it("password login off: every try is auth.login_failed with reason disabled", async () => {
    const { app, events, total } = recordedApp({ auto_create_admin: false, admin_password: undefined });
    expect((await loginAs(app, ADMIN.email, ADMIN.password)).status).toBe(403);
    expect(events("auth.login_failed").map((l) => [l.level, l.fields?.reason])).toStrictEqual([["warn", "disabled"]]);
    expect(total("pico_auth_sign_in_failures_total", { reason: "disabled" })).toBe(1);
    await app.stop();
  });

  it("a throttled login is auth.throttled at warn with the route, client and Retry-After; counted as throttled and as a failure, not logged twice", async () => {
    const { app, events, total } = recordedApp({ login_max_failures: 2 });
    for (let i = 0; i < 2; i++) expect((await loginAs(app, ADMIN.email, "wrong")).status).toBe(401);
    const refused = await loginAs(app, ADMIN.email, "wrong");
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(events("auth.throttled").map((l) => [l.level, l.fields])).toStrictEqual([
      ["warn", { event: "auth.throttled", route: "/api/v1/auth/login", client: "in-process", retry_after: retryAfter }],
    ]);
    expect(events("auth.login_failed")).toHaveLength(2);
    expect(total("pico_auth_throttled_total", { route: "/api/v1/auth/login" })).toBe(1);
    expect(total("pico_auth_sign_in_failures_total", { reason: "throttled" })).toBe(1);
    await app.stop();
  });

  it("throttled challenges and refreshes are auth.throttled at warn, counted by route", async () => {
    const { app, events, total } = recordedApp({ challenges_per_client: 1, refreshes_per_client: 1 });
    const wallet = ed25519Wallet();
    await askChallenge(app, wallet);
    const challenge = await app.request("/api/v1/auth/challenge", postJson({ address: wallet.address, algorithm: wallet.algorithm }));
    expect(challenge.status).toBe(429);
    expect((await refresh(app, "x")).status).toBe(401);
    expect((await refresh(app, "x")).status).toBe(429);
    expect(events("auth.throttled").map((l) => [l.level, l.fields])).toStrictEqual([
      ["warn", { event: "auth.throttled", route: "/api/v1/auth/challenge", client: "in-process", retry_after: Number(challenge.headers.get("retry-after")) }],
      ["warn", { event: "auth.throttled", route: "/api/v1/auth/refresh", client: "in-process", retry_after: expect.any(Number) }],
    ]);
    expect([total("pico_auth_throttled_total", { route: "/api/v1/auth/challenge" }), total("pico_auth_throttled_total", { route: "/api/v1/auth/refresh" })]).toEqual([1, 1]);
    // Not sign-ins: no failure counted.
    expect(total("pico_auth_sign_in_failures_total", { reason: "throttled" })).toBe(0);
    await app.stop();
  });

  it("wallet sign-ins are counted by algorithm; refusals are auth.login_failed with a fixed reason, the address only once a challenge was found for it, never the signature or challenge", async () => {
    const { app, events, logged, total } = recordedApp();
    const [wallet, other] = [ed25519Wallet(), ed25519Wallet()];
    expect((await walletSignIn(app, wallet)).status).toBe(200);
    const signIn = (body: Record<string, unknown>) => app.request("/api/v1/auth/sign-in", postJson(body));
    // A signature of another key: the key is checked against the message, not the address yet.
    const good = await signedBody(app, wallet);
    const forged = { ...good, signature: other.sign("something else") };
    expect((await signIn(forged)).status).toBe(401);
    expect((await signIn(good)).status).toBe(401); // its challenge was burnt by the failed signature
    expect((await signIn({ ...good, signature: "zz" })).status).toBe(400);
    // The other key signs a challenge for the first wallet's address: it does not own it.
    const { challenge, message } = await askChallenge(app, other, wallet.address);
    const notHolder = { address: wallet.address, challenge, algorithm: other.algorithm, public_key: other.publicKeyHex, signature: other.sign(message) };
    expect((await signIn(notHolder)).status).toBe(401);
    const mismatch = await signedBody(app, wallet);
    expect((await signIn({ ...mismatch, message: "Sign in to evil.example" })).status).toBe(401);
    const base = { event: "auth.login_failed", route: "/api/v1/auth/sign-in", client: "in-process", method: "Ed25519" };
    expect(events("auth.login_failed").map((l) => [l.level, l.fields])).toStrictEqual([
      ["warn", { ...base, reason: "bad_signature", address: wallet.address }],
      ["warn", { ...base, reason: "invalid_challenge" }],
      ["warn", { event: "auth.login_failed", route: "/api/v1/auth/sign-in", client: "in-process", reason: "bad_request" }],
      ["warn", { ...base, reason: "not_holder", address: wallet.address }],
      ["warn", { ...base, reason: "message_mismatch", address: wallet.address }],
    ]);
    for (const reason of ["bad_signature", "invalid_challenge", "bad_request", "not_holder", "message_mismatch"]) {
      expect(total("pico_auth_sign_in_failures_total", { reason }), reason).toBe(1);
    }
    expect(total("pico_auth_sign_ins_total", { method: "Ed25519" })).toBe(1);
    for (const secret of [good.signature, good.challenge, forged.signature, notHolder.signature, challenge]) expect(logged()).not.toContain(secret);
    await app.stop();
  });

  it("a reused refresh token is auth.refresh_reused and auth.session_revoked at warn, naming the session, never a token; refreshes and reuse are counted", async () => {
    const { app, events, logged, total } = recordedApp();
    const first = await login(app);
    const res = await refresh(app, first.refresh_token);
    const second = (await res.json()) as Tokens;
    expect((await refresh(app, first.refresh_token)).status).toBe(401);
    const sid = JSON.parse(Buffer.from(first.access_token.split(".")[1] as string, "base64url").toString()).sid as string;
    const session = { sid, sub: ADMIN.email, role: "admin" };
    expect(events("auth.refresh_reused").map((l) => [l.level, l.fields])).toStrictEqual([["warn", { event: "auth.refresh_reused", ...session, client: "in-process" }]]);
    expect(events("auth.session_revoked").map((l) => [l.level, l.fields])).toStrictEqual([["warn", { event: "auth.session_revoked", reason: "refresh_reused", ...session }]]);
    expect([total("pico_auth_refreshes_total"), total("pico_auth_refresh_reuse_total")]).toEqual([1, 1]);
    for (const token of [first.access_token, first.refresh_token, second.access_token, second.refresh_token]) expect(logged()).not.toContain(token);
    await app.stop();
  });

  it("an admin's revocation and an unbind are auth.session_revoked at warn with their reason; a logout, the user's own act, at info", async () => {
    const { app, events } = recordedApp();
    const admin = await login(app);
    const other = await login(app);
    expect((await app.request("/api/v1/auth/logout", postJson({ refresh_token: other.refresh_token }))).status).toBe(204);
    const wallet = ed25519Wallet();
    expect((await walletSignIn(app, wallet)).status).toBe(200);
    const revoke = await app.request("/api/v1/auth/admin/sessions/revoke", postJson({ sub: wallet.address }, bearer(admin.access_token)));
    expect(await answer(revoke)).toEqual([200, { revoked: 1 }]);
    const unbind = await app.request(`/api/v1/auth/admin/bindings/${wallet.address}`, { method: "DELETE", headers: bearer(admin.access_token) });
    expect(unbind.status).toBe(204);
    const sid = JSON.parse(Buffer.from(other.access_token.split(".")[1] as string, "base64url").toString()).sid as string;
    expect(events("auth.session_revoked").map((l) => [l.level, l.fields])).toStrictEqual([
      ["info", { event: "auth.session_revoked", reason: "logout", sid, sub: ADMIN.email, role: "admin" }],
      ["warn", { event: "auth.session_revoked", reason: "admin", sub: wallet.address, count: 1 }],
      ["warn", { event: "auth.session_revoked", reason: "address_unbound", sub: wallet.address, count: 0 }],
    ]);
    await app.stop();
  });

  it("a move ends the old key's sessions (address_moved); a session whose credential changed ends at its refresh (credential_changed)", async () => {
    const { app, events } = recordedApp();
    const [old, next] = [ed25519Wallet(), ed25519Wallet()];
    expect((await walletSignIn(app, old)).status).toBe(200);
    const { challenge, message } = await askChallenge(app, old, old.address, { move_to: { algorithm: next.algorithm, public_key: next.publicKeyHex } });
    const move = { address: old.address, challenge, algorithm: old.algorithm, public_key: old.publicKeyHex, signature: old.sign(message), new_algorithm: next.algorithm, new_public_key: next.publicKeyHex, new_signature: next.sign(message) };
    expect((await app.request("/api/v1/auth/move", postJson(move))).status).toBe(200);
    expect(events("auth.session_revoked").map((l) => [l.level, l.fields])).toStrictEqual([["warn", { event: "auth.session_revoked", reason: "address_moved", sub: old.address, count: 1 }]]);
    await app.stop();

    // The admin's password changes across a restart: the session from before ends at its next refresh.
    const dataDir = newDataDir();
    const before = recordedApp({ store: "sqlite", data_dir: dataDir });
    const tokens = await login(before.app);
    await before.app.stop();
    const after = recordedApp({ store: "sqlite", data_dir: dataDir, admin_password: "another long passphrase" });
    expect((await refresh(after.app, tokens.refresh_token)).status).toBe(401);
    const sid = JSON.parse(Buffer.from(tokens.access_token.split(".")[1] as string, "base64url").toString()).sid as string;
    expect(after.events("auth.session_revoked").map((l) => [l.level, l.fields])).toStrictEqual([
      ["warn", { event: "auth.session_revoked", reason: "credential_changed", sid, sub: ADMIN.email, role: "admin" }],
    ]);
    await after.app.stop();
  });

  it("a key rotation is auth.key_rotated at warn with the new and the previous kid, a withdrawal auth.key_withdrawn; the first key is info", async () => {
    const { app, lines } = recordedApp();
    await app.init();
    const keys = app.container.get(SigningKeys);
    const first = keys.activeKid as string;
    await keys.rotate();
    const second = keys.activeKid as string;
    await keys.withdraw(first);
    const keyLines = lines.filter((l) => String(l.fields?.event).startsWith("auth.key_"));
    expect(keyLines.map((l) => [l.level, l.fields])).toStrictEqual([
      ["info", { event: "auth.key_created", kid: first, alg: "RS256" }],
      ["warn", { event: "auth.key_rotated", kid: second, alg: "RS256", previous_kid: first }],
      ["warn", { event: "auth.key_withdrawn", kid: first }],
    ]);
    await app.stop();
  });
});

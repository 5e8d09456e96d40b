import argon2 from "argon2";
import { describe, expect, it } from "vitest";
import { AdminLogin, ServerAuthConfigurationError } from "../src/index.js";
import { ADMIN, claimsOf, inProcessState, postJson, serverApp } from "./support.js";

const login = (email: string, password: string, headers?: Record<string, string>) => postJson({ email, password }, headers);

describe("POST /login", () => {
  it("issues admin tokens for the configured credentials", async () => {
    const app = serverApp();
    const res = await app.request("/api/v1/auth/login", login(ADMIN.email, ADMIN.password));
    const body = (await res.json()) as Record<string, string>;
    expect([res.status, Object.keys(body).sort()]).toEqual([200, ["access_token", "expires_in", "refresh_token", "token_type"]]);
    expect(claimsOf(body.access_token as string)).toMatchObject({ sub: ADMIN.email, role: "admin" });
  });

  it("the email matches whatever its case, and the token's subject is the configured email", async () => {
    const app = serverApp();
    const res = await app.request("/api/v1/auth/login", login(ADMIN.email.toUpperCase(), ADMIN.password));
    expect(res.status).toBe(200);
    expect(claimsOf(((await res.json()) as Record<string, string>).access_token as string)).toMatchObject({ sub: ADMIN.email, role: "admin" });
  });

  it("403 when disabled (checked before the credentials); 401 for wrong or missing credentials", async () => {
    const disabled = serverApp({ server: { auto_create_admin: false } });
    const off = await disabled.request("/api/v1/auth/login", login(ADMIN.email, ADMIN.password));
    expect([off.status, await off.json()]).toEqual([403, { detail: "password login disabled" }]);
    const app = serverApp();
    for (const init of [login(ADMIN.email, "wrong password"), login("someone@example.com", ADMIN.password), postJson({ email: ADMIN.email }), postJson({ email: 1, password: 2 })]) {
      const res = await app.request("/api/v1/auth/login", init);
      expect([res.status, await res.json()]).toEqual([401, { detail: "invalid credentials" }]);
    }
  });

  it("blocks repeated failures of one client for one email with 429 and Retry-After, also against the right password, until the window ends", async () => {
    // In process every request is the same client ("in-process"): the (email, client) pair is blocked.
    // Other clients are not: attacks-login.test.ts shows that over real sockets.
    const app = serverApp({ server: { login_max_failures: 3, login_window_seconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await app.request("/api/v1/auth/login", login(ADMIN.email, `guess-${i}`))).status).toBe(401);
    const limited = await app.request("/api/v1/auth/login", login(ADMIN.email, ADMIN.password));
    expect([limited.status, limited.headers.get("retry-after"), await limited.json()]).toEqual([429, "60", { detail: "too many failed attempts; try again later" }]);
    const later = Date.now() + 61_000;
    (await inProcessState(app)).counters.now = () => later;
    expect((await app.request("/api/v1/auth/login", login(ADMIN.email, ADMIN.password))).status).toBe(200);
  });

  it("parallel guesses of one client are counted before hashing: the limit holds under concurrency", async () => {
    const app = serverApp({ server: { login_max_failures: 3 } });
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => app.request("/api/v1/auth/login", login(ADMIN.email, `guess-${i}`)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
  });

  it("an unknown email costs an argon2 verification like a wrong password", async () => {
    const app = serverApp();
    await app.init();
    // The admin hash is made in the background after boot: let it finish before timing anything.
    await app.request("/api/v1/auth/login", login(ADMIN.email, ADMIN.password));
    const time = async (email: string) => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) await app.request("/api/v1/auth/login", login(email, "wrong password"));
      return performance.now() - started;
    };
    const [known, unknown] = [await time(ADMIN.email), await time("nobody@example.com")];
    // Both paths hash: the unknown-email path is not the near-instant early exit upstream has.
    expect(unknown / known).toBeGreaterThan(0.5);
  });

  it("boot fails without a password, with a weak one, or with a hash that is not argon2id; a PHC hash works (config-limits.test.ts has the rest)", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ admin_password: undefined }, "server_auth.auto_create_admin needs server_auth.admin_password (env SERVER_AUTH__ADMIN_PASSWORD) or admin_password_hash"],
      [{ admin_password: "admin" }, "server_auth.admin_password is too weak"],
      [{ admin_password: undefined, admin_password_hash: "$2b$10$bcrypt" }, "server_auth.admin_password_hash must be an argon2id PHC string"],
    ];
    for (const [server, message] of cases) {
      const error = await serverApp({ server }).init().catch((e: unknown) => e);
      expect((error as Error).message).toContain(message);
      expect((error as Error).cause).toBeInstanceOf(ServerAuthConfigurationError);
    }
    const hash = await argon2.hash("from-a-vault-123", { type: argon2.argon2id });
    const app = serverApp({ server: { admin_password: undefined, admin_password_hash: hash } });
    expect((await app.request("/api/v1/auth/login", login(ADMIN.email, "from-a-vault-123"))).status).toBe(200);
  });
});

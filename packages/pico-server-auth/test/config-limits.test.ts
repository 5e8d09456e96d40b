/**
 * Config that cannot work, or is not safe to run with, fails boot naming the setting: upper bounds on
 * every lifetime and size, a strictly parsed argon2id admin_password_hash at OWASP strength, argon2
 * settings at OWASP strength, a strong admin password and a long revocation_feed_bearer. The
 * allow_weak_* switches admit the weak values on purpose.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import argon2 from "argon2";
import { describe, expect, it } from "vitest";
import { ServerAuthConfigurationError } from "../src/index.js";
import { ADMIN, postJson, serverApp } from "./support.js";

/** The boot error's message, or "booted". */
async function bootMessage(options: Parameters<typeof serverApp>[0]): Promise<string> {
  const app = serverApp(options);
  try {
    await app.init();
    return "booted";
  } catch (error) {
    return messages(error);
  } finally {
    await app.stop();
  }
}

/** The messages of an error and its causes, joined: the setting may be named at any level. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(" <- ");
}

const salt = Buffer.from("saltsaltsaltsalt").toString("base64").replace(/=+$/, "");
const digest = Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "");
const phc = (params: string, type = "argon2id", version = "v=19$") => `$${type}$${version}${params}$${salt}$${digest}`;

describe("config that cannot work fails at boot, naming the setting", () => {
  it("SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES=1e300 (every login a 500 before) fails boot", async () => {
    const message = await bootMessage({ env: { SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES: "1e300" } });
    expect(message).toMatch(/server_auth\.access_token_expire_minutes.*expected at most 1440/s);
  });

  it("SERVER_AUTH__ISSUER=not-a-url fails boot naming the variable, an absolute http(s) URL as expected, and what came", async () => {
    const message = await bootMessage({ env: { SERVER_AUTH__ISSUER: "not-a-url" } });
    expect(message).toContain('server_auth.issuer: expected an absolute http(s) URL (such as "https://auth.example.com"), got "not-a-url" (from env SERVER_AUTH__ISSUER)');
  });

  it("every lifetime and size of server_auth has an upper bound: one past it fails boot naming the setting", async () => {
    const bounds: Record<string, number> = {
      access_token_expire_minutes: 1440,
      refresh_token_expire_days: 365,
      challenge_ttl_seconds: 3600,
      max_challenges: 1_000_000,
      challenges_per_client: 1_000_000_000,
      login_max_failures: 1_000_000,
      login_window_seconds: 86_400,
      argon2_memory_kib: 4_194_304,
      argon2_time_cost: 64,
      key_rotation_days: 3650,
    };
    for (const [key, max] of Object.entries(bounds)) {
      expect(await bootMessage({ server: { [key]: max + 1 } }), key).toMatch(new RegExp(`server_auth\\.${key}.*expected at most ${max}`, "s"));
    }
    // At the bound itself it boots (argon2 at 4 GiB is not hashed: a PHC hash is given instead).
    const atBounds = { ...bounds, admin_password: undefined, admin_password_hash: phc("m=19456,t=2,p=1") };
    expect(await bootMessage({ server: atBounds })).toBe("booted");
  });

  it("admin_password_hash must be a strict argon2id PHC string: malformed ones, argon2i and argon2d fail boot", async () => {
    const cases: [string, string][] = [
      ["$2b$10$bcrypt", "expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>"],
      ["$argon2", "expected $argon2id$v=19"],
      [phc("m=19456,t=2,p=1", "argon2i"), "it is argon2i; only argon2id is accepted"],
      [phc("m=19456,t=2,p=1", "argon2d"), "it is argon2d; only argon2id is accepted"],
      [phc("m=19456,t=2,p=1", "argon2id", ""), "expected $argon2id$v=19"],
      [phc("m=19456,t=2,p=1", "argon2id", "v=16$"), "expected $argon2id$v=19"],
      [phc("m=19456,t=2"), "the parameters must be m, t and p, once each"],
      [phc("m=19456,t=2,p=1,p=1"), "the parameters must be m, t and p, once each"],
      [phc("m=19456,t=2,p=1,x=1"), "the parameters must be m, t and p, once each"],
      [phc("m=019456,t=2,p=1"), "as plain decimals"],
      [phc("m=19456,t=0,p=1"), "t must be 1..64, got 0"],
      [phc("m=19456,t=2,p=0"), "p must be 1..255, got 0"],
      [phc("m=99999999,t=2,p=1"), "m must be 8..4194304 KiB"],
      [`$argon2id$v=19$m=19456,t=2,p=1$${salt}$${digest}=`, "expected $argon2id$v=19"],
      [`$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$${digest}`, "the salt must be at least 8 bytes, got 4"],
      [`$argon2id$v=19$m=19456,t=2,p=1$${salt}$aGFzaA`, "the hash must be at least 16 bytes, got 4"],
      [`$argon2id$v=19$m=19456,t=2,p=1$${salt}$${digest.slice(0, -1)}B`, "canonical base64"],
      [`${phc("m=19456,t=2,p=1")}\n`, "expected $argon2id$v=19"],
    ];
    for (const [hash, reason] of cases) {
      const message = await bootMessage({ server: { admin_password: undefined, admin_password_hash: hash } });
      expect(message, hash).toContain("server_auth.admin_password_hash must be an argon2id PHC string: ");
      expect(message, hash).toContain(reason);
    }
  });

  it("an admin_password_hash below the OWASP table fails boot unless allow_weak_settings; each row of the table boots", async () => {
    for (const params of ["m=47103,t=1,p=1", "m=19455,t=2,p=1", "m=12287,t=3,p=1", "m=9215,t=4,p=1", "m=7167,t=5,p=1", "m=1024,t=64,p=1"]) {
      const server = { admin_password: undefined, admin_password_hash: phc(params) };
      expect(await bootMessage({ server }), params).toMatch(/server_auth\.admin_password_hash has m = \d+ KiB, t = \d+: below the OWASP table.*allow_weak_settings/);
      expect(await bootMessage({ server: { ...server, allow_weak_settings: true } }), params).toBe("booted");
    }
    for (const params of ["m=47104,t=1,p=1", "m=19456,t=2,p=1", "m=12288,t=3,p=1", "m=9216,t=4,p=1", "m=7168,t=5,p=1", "m=65536,p=4,t=3"]) {
      expect(await bootMessage({ server: { admin_password: undefined, admin_password_hash: phc(params) } }), params).toBe("booted");
    }
  });

  it("argon2_memory_kib / argon2_time_cost below the OWASP table fail boot unless allow_weak_settings", async () => {
    for (const [m, t] of [[47_103, 1], [19_455, 2], [19_456, 1], [7_167, 5], [1024, 64]]) {
      const server = { argon2_memory_kib: m, argon2_time_cost: t };
      expect(await bootMessage({ server })).toContain(`server_auth.argon2_memory_kib = ${m} with server_auth.argon2_time_cost = ${t} is below the OWASP table (m >= 47104 KiB with t >= 1, or m >= 19456 KiB with t >= 2`);
      expect(await bootMessage({ server: { ...server, allow_weak_settings: true } })).toBe("booted");
    }
    expect(await bootMessage({ server: { argon2_memory_kib: 7168, argon2_time_cost: 5 } })).toBe("booted");
  });

  it("a weak admin password fails boot, without showing it, unless allow_weak_admin_password", async () => {
    for (const password of ["password", "        ", "admin", "Password2024!", "aaaaaaaaaaaaaaaa", "qwertyuiop12"]) {
      const message = await bootMessage({ server: { admin_password: password } });
      expect(message, password).toContain("server_auth.admin_password is too weak: ");
      expect(message, password).toContain("allow_weak_admin_password");
      expect(await bootMessage({ server: { admin_password: password, allow_weak_admin_password: true } }), password).toBe("booted");
    }
    expect(await bootMessage({ server: { admin_password: "Zq9#sh0rt" } })).not.toContain("Zq9#sh0rt");
  });

  it("the weak-password switch admits the password it names: a login with it works", async () => {
    const app = serverApp({ server: { admin_password: "password", allow_weak_admin_password: true } });
    const res = await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: "password" }));
    expect(res.status).toBe(200);
    await app.stop();
  });

  it("each allow_weak_* switch that is on logs a warning at boot, naming it; off, nothing is said", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const weak = serverApp({ logger, server: { allow_weak_settings: true, allow_weak_admin_password: true } });
    await weak.init();
    await weak.stop();
    expect(warnings.filter((m) => m.includes("allow_weak_settings is on")), warnings.join("\n")).toHaveLength(1);
    expect(warnings.filter((m) => m.includes("allow_weak_admin_password is on"))).toHaveLength(1);
    warnings.length = 0;
    const strict = serverApp({ logger });
    await strict.init();
    await strict.stop();
    expect(warnings.filter((m) => m.includes("allow_weak"))).toStrictEqual([]);
  });

  it("revocation_feed_bearer must be at least 32 printable characters without spaces; the message does not show it", async () => {
    for (const bearer of ["s3cr3t-feed", "x".repeat(31), `${"y".repeat(31)} `, `${"z".repeat(40)}\u00e9`]) {
      const message = await bootMessage({ server: { revocation_feed_bearer: bearer } });
      expect(message, bearer).toContain("server_auth.revocation_feed_bearer must be at least 32 printable ASCII characters without spaces");
      expect(message).not.toContain(bearer.trim());
    }
    expect(await bootMessage({ server: { revocation_feed_bearer: "k".repeat(32) } })).toBe("booted");
  });

  it("the checks run before the store opens: a refused config leaves the data dir without a database", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pico-config-"));
    try {
      const message = await bootMessage({ server: { store: "sqlite", data_dir: dataDir, admin_password: "password" } });
      expect(message).toContain("server_auth.admin_password is too weak");
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it("the errors are ServerAuthConfigurationError; a real argon2id hash at the default parameters boots and logs in", async () => {
    const error = await serverApp({ server: { admin_password: "short" } }).init().catch((e: unknown) => e);
    expect((error as Error).cause).toBeInstanceOf(ServerAuthConfigurationError);
    const hash = await argon2.hash("from-a-vault-123", { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const app = serverApp({ server: { admin_password: undefined, admin_password_hash: hash } });
    expect((await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: "from-a-vault-123" }))).status).toBe(200);
    await app.stop();
  });
});

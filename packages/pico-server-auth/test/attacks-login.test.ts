/**
 * The attack catalogue (docs/security.md), password login: user enumeration, guessing, spoofed
 * client addresses, oversized passwords and Unicode look-alikes. The throttling ones that need
 * several clients are in attacks-lockout.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { ADMIN, postJson, serverApp } from "./support.js";

/** Cheap argon2 parameters: these tests count attempts, they do not measure hashing. */
const FAST_HASH = { argon2_memory_kib: 1024, argon2_time_cost: 1, allow_weak_settings: true };

async function login(app: Application, email: unknown, password: unknown, headers: Record<string, string> = {}) {
  const res = await app.request("/api/v1/auth/login", postJson({ email, password }, headers));
  return { status: res.status, body: (await res.json()) as unknown, retryAfter: res.headers.get("retry-after"), headers: res.headers };
}

const INVALID = { status: 401, body: { detail: "invalid credentials" } };
const LIMITED = { status: 429, body: { detail: "too many failed attempts; try again later" } };
const strip = ({ status, body }: { status: number; body: unknown }) => ({ status, body });

describe("attacks on password login", () => {
  it("a wrong password and an unknown email get the same answer: status, body and headers (no user enumeration)", async () => {
    const app = serverApp({ server: FAST_HASH });
    const wrongPassword = await login(app, ADMIN.email, "not the password");
    const unknownEmail = await login(app, "nobody@example.com", ADMIN.password);
    const unknownBoth = await login(app, "nobody@example.com", "not the password");
    for (const answer of [wrongPassword, unknownEmail, unknownBoth]) expect(strip(answer)).toEqual(INVALID);
    // The date and the request id differ per request by design, whatever the answer.
    const headersOf = (answer: { headers: Headers }) => [...answer.headers].filter(([name]) => name !== "date" && name !== "x-request-id");
    expect(headersOf(unknownEmail)).toEqual(headersOf(wrongPassword));
    expect(headersOf(unknownBoth)).toEqual(headersOf(wrongPassword));
  });

  it("the rate limit treats a known and an unknown email alike: the guessing client is blocked for both after login_max_failures", async () => {
    const app = serverApp({ server: { ...FAST_HASH, login_max_failures: 3, login_window_seconds: 60 } });
    for (const email of [ADMIN.email, "nobody@example.com"]) {
      for (let i = 0; i < 3; i++) expect(strip(await login(app, email, `guess-${i}`))).toEqual(INVALID);
      const locked = await login(app, email, `guess-4`);
      expect([strip(locked), locked.retryAfter]).toEqual([LIMITED, "60"]);
    }
    // The block is on (email in any case, this client), and holds against the right password from it.
    expect(strip(await login(app, ADMIN.email.toUpperCase(), ADMIN.password))).toEqual(LIMITED);
  });

  it("X-Forwarded-For (and X-Real-IP, Forwarded) is not trusted: a new value per guess does not get a new client bucket", async () => {
    // login_max_failures 2: per client 4 × 2 = 8 attempts, each with another email and a spoofed address.
    const app = serverApp({ server: { ...FAST_HASH, login_max_failures: 2 } });
    for (let i = 0; i < 8; i++) {
      const spoofed = { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `198.51.100.${i}`, forwarded: `for=192.0.2.${i}` };
      expect(strip(await login(app, `user${i}@example.com`, "guess", spoofed))).toEqual(INVALID);
    }
    expect(strip(await login(app, "user-new@example.com", "guess", { "x-forwarded-for": "203.0.113.200" }))).toEqual(LIMITED);
  });

  it("over a real socket too, the client is the TCP peer: spoofed X-Forwarded-For values share the peer's challenge quota", async () => {
    const app = serverApp({ server: { challenges_per_client: 3 } });
    const { url } = await app.start({ port: 0, host: "127.0.0.1" });
    try {
      const ask = (i: number) =>
        fetch(`${url}/api/v1/auth/challenge`, { ...postJson({ address: `0xspoof${i}` }, { "x-forwarded-for": `203.0.113.${i}` }) }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { detail?: string },
        }));
      for (let i = 0; i < 3; i++) expect((await ask(i)).status).toBe(200);
      expect(await ask(3)).toEqual({ status: 429, body: { detail: "too many challenges requested; try again later" } });
    } finally {
      await app.stop();
    }
  });

  it("a password over 1024 characters (up to the 1 MiB body limit) is refused with 401 before argon2 runs: fast, and not counted", async () => {
    const app = serverApp({ server: { login_max_failures: 2 } });
    await app.init();
    for (const length of [1025, 100_000, 1_000_000]) {
      const started = performance.now();
      expect(strip(await login(app, ADMIN.email, "p".repeat(length)))).toEqual(INVALID);
      expect(performance.now() - started).toBeLessThan(1000);
    }
    // Three more refusals than the limit, yet the right password still works: argon2 never ran for them.
    expect((await login(app, ADMIN.email, `${ADMIN.password}${"x".repeat(2000)}`)).status).toBe(401);
    expect((await login(app, ADMIN.email, ADMIN.password)).status).toBe(200);
    // 1024 characters is still a password: checked, and counted.
    expect(strip(await login(app, ADMIN.email, "p".repeat(1024)))).toEqual(INVALID);
    // An email over 320 characters is refused the same way; a body over 1 MiB gets 413.
    expect(strip(await login(app, `${"a".repeat(321)}@example.com`, ADMIN.password))).toEqual(INVALID);
    const huge = await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: "p".repeat(1_100_000) }));
    expect([huge.status, await huge.json()]).toEqual([413, { detail: "Request body is larger than the limit of 1048576 bytes" }]);
  });

  it("passwords are compared as sent, with no Unicode normalisation: the NFD form of an NFC password is another password", async () => {
    const nfc = "pässwörd for tëst".normalize("NFC");
    const app = serverApp({ server: { ...FAST_HASH, admin_password: nfc } });
    expect(nfc.normalize("NFD")).not.toBe(nfc);
    expect(strip(await login(app, ADMIN.email, nfc.normalize("NFD")))).toEqual(INVALID);
    expect((await login(app, ADMIN.email, nfc)).status).toBe(200);
  });

  it("emails are compared after toLowerCase() only: full-width or NFD look-alikes do not match; a Kelvin sign does, and shares the (email, client) block", async () => {
    const app = serverApp({ server: { ...FAST_HASH, admin_email: "kim@example.com", login_max_failures: 2 } });
    expect(strip(await login(app, "ｋｉｍ@example.com", ADMIN.password))).toEqual(INVALID);
    expect(strip(await login(app, "ki\u0300m@example.com".normalize("NFD"), ADMIN.password))).toEqual(INVALID);
    // U+212A KELVIN SIGN lower-cases to "k": the same email, so it is counted with it.
    expect((await login(app, "\u212Aim@example.com", ADMIN.password)).status).toBe(200);
    expect(strip(await login(app, "\u212Aim@example.com", "guess"))).toEqual(INVALID);
    expect(strip(await login(app, "KIM@example.com", "guess"))).toEqual(INVALID);
    expect(strip(await login(app, "kim@example.com", ADMIN.password))).toEqual(LIMITED);
  });
});

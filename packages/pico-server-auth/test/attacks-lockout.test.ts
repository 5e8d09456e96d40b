/**
 * The attack catalogue (docs/security.md), admin lockout as a weapon: failures from other addresses
 * never block the owner. Real sockets from several loopback source addresses (127.0.0.N, all of
 * 127/8 is loopback on Linux), so each is a client of its own, as behind no proxy.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { ADMIN, serverApp } from "./support.js";

/** Cheap argon2 parameters: these tests count attempts, they do not measure hashing. */
const FAST_HASH = { argon2_memory_kib: 1024, argon2_time_cost: 1, allow_weak_settings: true };

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: unknown;
}

/** POST /login from `localAddress`, on a connection of its own. */
function loginFrom(url: string, localAddress: string, email: string, password: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/auth/login`, { method: "POST", localAddress, agent: false, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const retryAfter = res.headers["retry-after"];
        resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : undefined, body: JSON.parse(Buffer.concat(chunks).toString()) as unknown });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify({ email, password }));
  });
}

const address = (n: number) => `127.0.0.${n}`;
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe("attacks on password login: lockout as a weapon", () => {
  let app: Application | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  async function start(server: Record<string, unknown>): Promise<string> {
    app = serverApp({ server });
    return (await app.start({ port: 0, host: "127.0.0.1" })).url;
  }

  it("50 wrong passwords for the admin email from 10 addresses, then the right password from another address: 200 (delayed at most 2 s)", async () => {
    const url = await start(FAST_HASH);
    // login_max_failures is 5: each attacker uses up its own (email, client) allowance, all at once.
    const guesses = range(10, 10).flatMap((n) => range(0, 5).map((i) => loginFrom(url, address(n), ADMIN.email, `guess-${n}-${i}`)));
    const answers = await Promise.all(guesses);
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(401));
    // Each attacker is now blocked for that email, even with the right password, with Retry-After.
    for (const n of range(10, 10)) {
      const blocked = await loginFrom(url, address(n), ADMIN.email, ADMIN.password);
      expect([blocked.status, blocked.body]).toEqual([429, { detail: "too many failed attempts; try again later" }]);
      expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
      expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(300);
    }
    // The owner, from an address with no failures of its own: slowed down by the email's failures, never blocked.
    const started = performance.now();
    const owner = await loginFrom(url, address(200), ADMIN.email, ADMIN.password);
    expect(owner.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000 + 1500);
  });

  it("a client blocked for one email is blocked for its own guessing only: another client still gets 401 for a wrong password, not 429", async () => {
    const url = await start({ ...FAST_HASH, login_max_failures: 2 });
    for (let i = 0; i < 2; i++) expect((await loginFrom(url, address(2), ADMIN.email, `guess-${i}`)).status).toBe(401);
    expect((await loginFrom(url, address(2), ADMIN.email, "guess-2")).status).toBe(429);
    expect((await loginFrom(url, address(3), ADMIN.email, "guess-3")).status).toBe(401);
    expect((await loginFrom(url, address(3), ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it("per client over all emails: 4 × login_max_failures failures block that client (for any email), and no one else", async () => {
    const url = await start({ ...FAST_HASH, login_max_failures: 2 });
    for (let i = 0; i < 8; i++) expect((await loginFrom(url, address(4), `user${i}@example.com`, "guess")).status).toBe(401);
    const blocked = await loginFrom(url, address(4), ADMIN.email, ADMIN.password);
    expect([blocked.status, Number(blocked.retryAfter) > 0]).toEqual([429, true]);
    expect((await loginFrom(url, address(5), ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it("the argon2 concurrency cap queues clients without failures instead of answering 429: 24 at once, real hashing, all get 401", async () => {
    // Default argon2 parameters: each check takes a while, so at most 8 run and the rest wait.
    const url = await start({});
    const answers = await Promise.all(range(20, 24).map((n) => loginFrom(url, address(n), ADMIN.email, `wrong-${n}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(24).fill(401));
  });

  it("every 429 of /login carries Retry-After", async () => {
    const url = await start({ ...FAST_HASH, login_max_failures: 1 });
    const answers = await Promise.all(range(0, 12).map((i) => loginFrom(url, address(6), i % 2 ? ADMIN.email : "x@example.com", `guess-${i}`)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  });
});

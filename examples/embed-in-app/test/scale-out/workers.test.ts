import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startInstance } from "../../../../test-support/instances.js";
import type { Instance } from "../../../../test-support/instances.js";
import { ADMIN_EMAIL } from "../../src/config.js";
import { callWithPid } from "./accepting-process.js";
import { PROOF_TIMEOUT_MS } from "./deployment.js";
import { distribution, report } from "./figures.js";
import { sleep } from "./http.js";
import { ed25519Wallet } from "./wallet.js";
import type { Tokens, Wallet } from "./wallet.js";

const LIMIT_MS = 1000;
const LOGOUTS = 10;
const CHALLENGES_PER_CLIENT = 200;
const LOGIN_MAX_FAILURES = 5;
const DAY = 86_400;
const ADMIN_PASSWORD = "workers-test-password";

// better-sqlite3, as pico-server-auth itself loads it: the test ages a key in the workers' file.
interface SqliteFile {
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  close(): void;
}
const openSqlite = createRequire(new URL("../../../../packages/pico-server-auth/package.json", import.meta.url))("better-sqlite3") as new (path: string) => SqliteFile;

/**
 * One program (the seed app) with WORKERS=2 on the default embedded store: SQLite in a data_dir of
 * the test's own, no PostgreSQL, no Redis. Requests go on connections of their own, so the
 * cluster's primary hands them to the workers in turn; `ss` tells which worker took each.
 */
async function workers(dataDir: string, env: Record<string, string> = {}): Promise<Instance> {
  return startInstance({
    WORKERS: "2",
    SERVER_AUTH__ADMIN_PASSWORD: ADMIN_PASSWORD,
    SERVER_AUTH__DATA_DIR: dataDir,
    SERVER_AUTH__SYNC_INTERVAL_MS: "500",
    SERVER_AUTH__CHALLENGES_PER_CLIENT: String(CHALLENGES_PER_CLIENT),
    SERVER_AUTH__LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
    SERVER_AUTH__REFRESHES_PER_CLIENT: "1000000",
    ...env,
  });
}

interface Challenge {
  readonly challenge: string;
  readonly message: string;
}

const signInBody = (wallet: Wallet, { challenge, message }: Challenge) => ({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm });

describe("WORKERS=2 with the default embedded SQLite store", { timeout: PROOF_TIMEOUT_MS }, () => {
  const dirs: string[] = [];
  const programs: Instance[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "pico-workers-"));
    dirs.push(dir);
    return dir;
  };
  let shared: Instance | undefined;
  /** The program most tests share (started on first use). */
  async function program(): Promise<Instance> {
    if (!shared) {
      shared = await workers(dataDir());
      programs.push(shared);
    }
    return shared;
  }
  afterAll(async () => {
    await Promise.all(programs.map((p) => p.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("a challenge issued by one worker redeems exactly once, on the other worker", async () => {
    const p = await program();
    const pids = new Set<number>();
    let crossed = 0;
    for (let round = 0; round < 40 && crossed < 5; round++) {
      const wallet = ed25519Wallet();
      const asked = await callWithPid<Challenge>(p.url, "/api/v1/auth/challenge", p.pid, { body: { address: wallet.address, algorithm: wallet.algorithm } });
      expect(asked.status, asked.text).toBe(200);
      // Two sign-ins at once, on two connections: one per worker, as the primary deals them.
      const body = signInBody(wallet, asked.body);
      const answers = await Promise.all([0, 1].map(() => callWithPid<Tokens>(p.url, "/api/v1/auth/sign-in", p.pid, { body })));
      expect(answers.map((a) => a.status).sort(), `${answers.map((a) => a.text).join("\n")}\n${p.output()}`).toEqual([200, 401]);
      const winner = answers.find((a) => a.status === 200) as (typeof answers)[0];
      for (const pid of [asked.pid, ...answers.map((a) => a.pid)]) pids.add(pid);
      if (winner.pid !== asked.pid) crossed++;
    }
    expect(pids.size).toBe(2);
    expect(crossed, "no challenge was redeemed on another worker than the one that issued it").toBeGreaterThanOrEqual(5);
  });

  it("a logout on one worker is refused by every worker within 1 s", async () => {
    const p = await program();
    const delays: number[] = [];
    for (let i = 0; i < LOGOUTS; i++) {
      // The admin's password login: a session that does not depend on challenges being shared.
      const signedIn = await callWithPid<Tokens>(p.url, "/api/v1/auth/login", p.pid, { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(signedIn.status, signedIn.text).toBe(200);
      const session = signedIn.body;
      // Both workers accept the session first.
      const accepting = new Set<number>();
      for (let tries = 0; accepting.size < 2 && tries < 10; tries++) {
        const seen = await callWithPid(p.url, "/api/profile", p.pid, { token: session.access_token });
        expect(seen.status).toBe(200);
        accepting.add(seen.pid);
      }
      expect(accepting.size).toBe(2);

      const ended = await callWithPid(p.url, "/api/v1/auth/logout", p.pid, { body: { refresh_token: session.refresh_token } });
      expect(ended.status).toBe(204);
      const start = performance.now();
      const refusedAt = new Map<number, number>();
      while (refusedAt.size < accepting.size) {
        const answer = await callWithPid(p.url, "/api/profile", p.pid, { token: session.access_token });
        const at = performance.now() - start;
        if (answer.status === 401) {
          if (!refusedAt.has(answer.pid)) refusedAt.set(answer.pid, at);
        } else {
          expect(answer.status).toBe(200);
          // A worker that refused the token once never accepts it again.
          expect(refusedAt.has(answer.pid), `worker ${answer.pid} accepted the token again`).toBe(false);
        }
        expect(at, `not every worker refused the token within ${LIMIT_MS} ms`).toBeLessThan(LIMIT_MS);
        await sleep(10);
      }
      delays.push(Math.max(...refusedAt.values()));
    }
    report("workers-revocation-delay", { what: "ms from the logout's 204 until both workers answered 401 (each probe a new connection, every 10 ms)", ...distribution(delays) });
  });

  it("login failures and challenges count across workers: the 429 comes after the same total as with one process", async () => {
    const p = await program();
    const counted = async (path: string, body: () => unknown, localAddress: string, allowed: number) => {
      const pids = new Set<number>();
      for (let i = 0; i < CHALLENGES_PER_CLIENT * 3; i++) {
        const answer = await callWithPid(p.url, path, p.pid, { body: body(), localAddress });
        pids.add(answer.pid);
        if (answer.status === 429) return { attempts: i + 1, pids: pids.size };
        expect(answer.status, answer.text).toBe(allowed);
      }
      throw new Error(`no 429 from ${path}`);
    };
    const logins = await counted("/api/v1/auth/login", () => ({ email: ADMIN_EMAIL, password: "not the admin password" }), "127.0.0.7", 401);
    expect(logins, p.output()).toEqual({ attempts: LOGIN_MAX_FAILURES + 1, pids: 2 });
    const challenges = await counted("/api/v1/auth/challenge", () => {
      const w = ed25519Wallet();
      return { address: w.address, algorithm: w.algorithm };
    }, "127.0.0.8", 200);
    expect(challenges, p.output()).toEqual({ attempts: CHALLENGES_PER_CLIENT + 1, pids: 2 });
  });

  it("a signing key coming due is rotated once, and the new key reaches every worker within 1 s", async () => {
    const dir = dataDir();
    const rotation = { SERVER_AUTH__KEY_ROTATION_DAYS: "1" };
    const first = await workers(dir, rotation);
    programs.push(first);
    await first.stop();
    // Due a few seconds from now: both workers boot on a key not yet due, and reach its date together.
    const dueInSeconds = 8;
    const file = new openSqlite(join(dir, "auth.db"));
    try {
      file.prepare("UPDATE signing_keys SET created_at = ?").run(Math.floor(Date.now() / 1000) - DAY + dueInSeconds);
    } finally {
      file.close();
    }
    const dueAt = (Math.floor(Date.now() / 1000) + dueInSeconds) * 1000;
    const p = await workers(dir, rotation);
    programs.push(p);
    expect(Date.now(), "the workers took too long to boot for this test").toBeLessThan(dueAt - 1000);

    const samples: { at: number; pid: number; kids: string }[] = [];
    while (Date.now() < dueAt + 2 * LIMIT_MS) {
      const answer = await callWithPid<{ keys: { kid: string }[] }>(p.url, "/api/v1/auth/jwks", p.pid);
      samples.push({ at: Date.now(), pid: answer.pid, kids: answer.body.keys.map((k) => k.kid).join(",") });
      await sleep(25);
    }
    const sets = new Set(samples.map((s) => s.kids));
    expect(sets.size, [...sets].join("\n")).toBe(2); // the old key alone, then the new one with it: one rotation
    const after = samples.at(-1)?.kids as string;
    expect(after.split(",")).toHaveLength(2);
    const firstNew = samples.find((s) => s.kids === after)?.at as number;
    const lastOld = samples.findLast((s) => s.kids !== after)?.at as number;
    expect(lastOld - firstNew).toBeLessThan(LIMIT_MS);
    const file2 = new openSqlite(join(dir, "auth.db"));
    try {
      expect(file2.prepare("SELECT kid FROM signing_keys").all()).toHaveLength(2);
    } finally {
      file2.close();
    }
  });
});

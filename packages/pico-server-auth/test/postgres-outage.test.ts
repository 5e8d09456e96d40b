import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../src/errors.js";
import { openPostgresState } from "../src/state/postgres/index.js";
import { PostgresBindingStore } from "../src/state/postgres/binding-store.js";
import { PostgresDatabase } from "../src/state/postgres/database.js";
import { freePort } from "../../../test-support/ports.js";
import { SHARED_POSTGRES } from "../../../test-support/services.js";
import { createTestDatabase, freezableProxy, recordingLogger, settingsFor } from "./postgres-support.js";

// Outages made on this file's own database only (refusing connections, ending them, a frozen proxy):
// the shared server keeps running for everybody else.
const database = await createTestDatabase();
afterAll(() => database?.drop());

const PASSWORD = "Sup3r-Secret-pw";
const NOW = 1_800_000_000;

/** The test database's URL with a password in it (trust auth ignores it): what must never be shown. */
const withPassword = (url: string) => {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.href;
};

/** Everything an error could show: message, stack, cause, own fields. */
const shown = (error: unknown): string =>
  JSON.stringify(error, (_key, value: unknown) =>
    value instanceof Error ? { ...value, message: value.message, stack: value.stack, cause: (value as { cause?: unknown }).cause } : value,
  );

async function failure(call: Promise<unknown>): Promise<StoreUnavailableError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  return error as StoreUnavailableError;
}

describe.skipIf(!database)("PostgreSQL outages", () => {
  const db = database!;

  it("a database refusing connections: every port answers StoreUnavailableError (a 503 with a detail), then works again by itself", async () => {
    const logger = recordingLogger();
    const state = await openPostgresState(settingsFor(withPassword(db.url)), logger);
    try {
      const calls = [
        () => state.check(),
        () => state.signingKeys.signingKeys(),
        () => state.signingKeys.addSigningKey({ kid: "k", alg: "EdDSA", material: "m", createdAt: NOW }, undefined),
        () => state.bindings.bindAddress("0xa", { algorithm: "Ed25519", publicKey: "aa" }),
        () => state.sessions.redeemRefresh("h1", { hash: "h2", expiresAt: NOW + 3600 }, { jti: "j2", exp: NOW + 900 }, NOW),
        () => state.revocations.revokedSince(undefined, NOW),
        () => state.admin.saveAdminCredential("$argon2id$x"),
      ];
      await state.sessions.createFamily({ id: "f1", sub: "s", role: "r", claims: {}, currentHash: "h1", expiresAt: NOW + 3600, startedAt: NOW }, { jti: "j1", exp: NOW + 900 });
      await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
      try {
        await db.terminateConnections();
        const errors = await Promise.all(calls.map((call) => failure(call())));
        for (const error of errors) {
          expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", status: 503, expose: true });
          expect(error.message).toMatch(/^the auth store is unavailable: database [a-z ]+; try again later$/);
          expect(shown(error)).not.toContain(PASSWORD);
        }
      } finally {
        await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
      }
      // No reopening: the pool connects again on the next call, and none of the failed calls took effect.
      const results: unknown[] = [];
      for (const call of calls) results.push(await call());
      const [, keys, added, bound, redeemed] = results;
      expect([keys, added, bound, redeemed]).toEqual([[], true, { algorithm: "Ed25519", publicKey: "aa" }, expect.objectContaining({ outcome: "rotated" })]);
      // The LISTEN connection's loss and return are logged (outages of calls are logged above every backend).
      expect(logger.lines.some((line) => line.startsWith("warn pico-server-auth: PostgreSQL LISTEN connection to postgres://127.0.0.1:5432/pico_test_"))).toBe(true);
      expect(logger.lines.join("\n")).not.toContain(PASSWORD);
    } finally {
      await state.close();
    }
  });

  it("connections ended under it (as a server restart does): calls fail with StoreUnavailableError or succeed, and the pool recovers", async () => {
    const state = await db.open();
    await Promise.all(Array.from({ length: 5 }, () => state.check()));
    expect(await db.terminateConnections()).toBeGreaterThan(0);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => state.signingKeys.signingKeys()));
    for (const outcome of outcomes) if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(StoreUnavailableError);
    await expect(state.signingKeys.signingKeys()).resolves.toHaveLength(1);
  });

  it("connections ended in the middle of calls (a restart under load): those calls fail with StoreUnavailableError, nothing crashes", async () => {
    const state = await db.open();
    const locker = new (await import("pg")).default.Client({ connectionString: db.url });
    await locker.connect();
    locker.on("error", () => undefined);
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE pico_auth_address_bindings, pico_auth_refresh_families IN ACCESS EXCLUSIVE MODE");
    // Calls waiting on the lock hold their connections checked out of the pool when the server ends them.
    const waiting = Array.from({ length: 4 }, (_, i) => state.bindings.binding(`0xwaiting${i}`).then(() => "answered", (e: unknown) => e));
    const inTransaction = state.sessions.revokeSubject("nobody", NOW).then(() => "answered", (e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lockerPid = (await locker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    expect(await db.terminateConnections([lockerPid])).toBeGreaterThanOrEqual(5);
    for (const outcome of await Promise.all([...waiting, inTransaction])) expect(outcome).toBeInstanceOf(StoreUnavailableError);
    await locker.end();
    await expect(state.bindings.binding("0xafter")).resolves.toBeUndefined();
  });

  it("an unreachable server: opening fails with StoreUnavailableError within the connect timeout, showing no password", async () => {
    const logger = recordingLogger();
    const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${await freePort()}/nothing`;
    const started = Date.now();
    const error = await failure(openPostgresState(settingsFor(url), logger));
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(error.message).toBe("the auth store is unavailable: database unreachable; try again later");
    expect(shown(error)).not.toContain(PASSWORD);
    expect(logger.lines.join("\n")).not.toContain(PASSWORD);
  });

  it("a statement that waits too long (a lock held elsewhere) ends in StoreUnavailableError, and the next call works", async () => {
    const pool = new PostgresDatabase(db.url, recordingLogger(), { timeouts: { statementMs: 300 } });
    const locker = new (await import("pg")).default.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await db.open();
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE pico_auth_address_bindings IN ACCESS EXCLUSIVE MODE");
      const error = await failure(new PostgresBindingStore(pool).binding("0xlocked"));
      expect(error.reason).toBe("database timed out");
      await locker.query("ROLLBACK");
      await expect(new PostgresBindingStore(pool).binding("0xlocked")).resolves.toBeUndefined();
    } finally {
      await locker.end();
      await pool.close();
    }
  });

  it("a server that stops answering without closing the socket: the client-side timeout ends the call, and the pool recovers once it answers", async () => {
    const proxy = await freezableProxy(new URL(SHARED_POSTGRES));
    const pool = new PostgresDatabase(proxy.url(db.name), recordingLogger(), { timeouts: { queryMs: 500, connectMs: 500 } });
    try {
      const bindings = new PostgresBindingStore(pool);
      await bindings.binding("0xfrozen");
      proxy.freeze();
      expect((await failure(bindings.binding("0xfrozen"))).reason).toBe("database timed out");
      proxy.thaw();
      await expect(bindings.binding("0xfrozen")).resolves.toBeUndefined();
    } finally {
      await pool.close();
      await proxy.close();
    }
  });

  it("a server that stops answering in the middle of a transaction: the call fails within one client-side timeout, not one more for the ROLLBACK", async () => {
    const proxy = await freezableProxy(new URL(SHARED_POSTGRES));
    const pool = new PostgresDatabase(proxy.url(db.name), recordingLogger(), { timeouts: { queryMs: 1_000, connectMs: 1_000 } });
    try {
      const started = performance.now();
      const call = pool.transaction("test", async (q) => {
        await q.query("SELECT 1");
        proxy.freeze();
        await q.query("SELECT 2");
      });
      expect((await failure(call)).reason).toBe("database timed out");
      expect(performance.now() - started).toBeLessThan(1_600);
      proxy.thaw();
      await expect(pool.run("after", async (q) => (await q.query<{ n: number }>("SELECT 3 AS n")).rows[0]?.n)).resolves.toBe(3);
    } finally {
      await pool.close();
      await proxy.close();
    }
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeRevocationStore, FakeSignalBus, revocationList } from "./sync-fakes.js";

type Instance = ReturnType<typeof revocationList>;
const started: Instance[] = [];

async function boot(store: FakeRevocationStore, bus: FakeSignalBus, count: number, overrides: Parameters<typeof revocationList>[2] = {}): Promise<Instance[]> {
  const instances = Array.from({ length: count }, () => revocationList(store, bus.instance(), overrides));
  started.push(...instances);
  await Promise.all(instances.map((r) => r.onInit()));
  return instances;
}

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

afterEach(() => {
  for (const r of started.splice(0)) r.onDestroy();
});

describe("revocations shared by several instances", () => {
  it("a token revoked on instance A is refused by B at once through the change signal", async () => {
    const store = new FakeRevocationStore();
    const bus = new FakeSignalBus();
    const [a, b] = (await boot(store, bus, 2)) as [Instance, Instance];
    store.revoke({ jti: "logged-out", exp: inAMinute() });
    await a.revoked();
    // A has read it before answering the logout.
    expect(a.isRevoked("logged-out")).toBe(true);
    expect(bus.published).toEqual(["revocations"]);
    // No poll (sync_interval_ms is a minute here): only the signal can tell B.
    await vi.waitFor(() => expect(b.isRevoked("logged-out")).toBe(true), { timeout: 200, interval: 5 });
    expect(b.isRevoked("still-valid")).toBe(false);
  });

  it("without signals, B refuses it within sync_interval_ms", async () => {
    const store = new FakeRevocationStore();
    const bus = new FakeSignalBus();
    bus.delivering = false;
    const [a, b] = (await boot(store, bus, 2, { syncIntervalMs: 50 })) as [Instance, Instance];
    store.revoke({ jti: "logged-out", exp: inAMinute() });
    await a.revoked();
    const revokedAt = Date.now();
    await vi.waitFor(() => expect(b.isRevoked("logged-out")).toBe(true), { timeout: 1000, interval: 5 });
    // The interval plus a read, with slack for a loaded machine (without polling, it is never seen).
    expect(Date.now() - revokedAt).toBeLessThan(50 + 250);
  });

  it("follows the feed with its cursor: everything at boot, then only what is new; expired entries are dropped", async () => {
    const store = new FakeRevocationStore();
    const expiresSoon = inAMinute();
    store.revoke({ jti: "before-boot", exp: expiresSoon }, { jti: "expired-already", exp: expiresSoon - 120 });
    const [a] = (await boot(store, new FakeSignalBus(), 1)) as [Instance];
    expect([a.isRevoked("before-boot"), a.isRevoked("expired-already")]).toEqual([true, false]);
    store.revoke({ jti: "later", exp: expiresSoon + 600 });
    await a.reload();
    expect(store.cursors).toEqual([undefined, "2"]);
    expect(a.items()).toEqual([
      { jti: "before-boot", exp: expiresSoon },
      { jti: "later", exp: expiresSoon + 600 },
    ]);
    a.now = () => expiresSoon;
    await a.reload();
    expect([a.isRevoked("before-boot"), a.isRevoked("later")]).toEqual([false, true]);
    expect(a.items()).toEqual([{ jti: "later", exp: expiresSoon + 600 }]);
  });

  it("concurrent reasons to read share one read that starts after them", async () => {
    const store = new FakeRevocationStore();
    const [a] = (await boot(store, new FakeSignalBus(), 1)) as [Instance];
    const reads = store.reads.length;
    store.revoke({ jti: "one", exp: inAMinute() });
    await Promise.all([a.revoked(), a.revoked(), a.reload(), a.revoked()]);
    expect(store.reads.length).toBe(reads + 1);
    expect(a.isRevoked("one")).toBe(true);
  });

  it("syncedAt is when the last successful read started; a failed read keeps the list and syncedAt, and is logged once per outage", async () => {
    const store = new FakeRevocationStore();
    store.revoke({ jti: "old", exp: inAMinute() });
    const before = Date.now();
    const [a] = (await boot(store, new FakeSignalBus(), 1, { syncIntervalMs: 50 })) as [Instance];
    expect(a.syncedAt).toBeGreaterThanOrEqual(before);
    expect(a.syncedAt).toBeLessThanOrEqual(Date.now());

    store.failing = new Error("connection refused");
    await vi.waitFor(() => expect(a.logger.events("auth.sync_failed")).toHaveLength(1), { timeout: 1000, interval: 5 });
    const lastGood = a.syncedAt;
    await expect(a.reload()).rejects.toThrow("connection refused");
    // A revocation committed meanwhile: the logout still answers, and the signal still goes out.
    await expect(a.revoked()).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(a.syncedAt).toBe(lastGood);
    expect(a.isRevoked("old")).toBe(true);
    expect(a.logger.events("auth.sync_failed")).toHaveLength(1);

    store.revoke({ jti: "during-outage", exp: inAMinute() });
    store.failing = undefined;
    await vi.waitFor(() => expect(a.isRevoked("during-outage")).toBe(true), { timeout: 1000, interval: 5 });
    expect(a.syncedAt).toBeGreaterThan(lastGood);
    expect(a.logger.events("auth.sync_recovered")).toHaveLength(1);
  });

  it("a boot that cannot read the feed fails: without it, no token could be vouched for", async () => {
    const store = new FakeRevocationStore();
    store.failing = new Error("connection refused");
    const a = revocationList(store, new FakeSignalBus().instance());
    await expect(a.onInit()).rejects.toThrow("connection refused");
  });

  it("stops polling and listening once destroyed", async () => {
    const store = new FakeRevocationStore();
    const bus = new FakeSignalBus();
    const [a] = (await boot(store, bus, 1, { syncIntervalMs: 50 })) as [Instance];
    expect(bus.listeners).toBe(1);
    a.onDestroy();
    expect(bus.listeners).toBe(0);
    const reads = store.reads.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(store.reads.length).toBe(reads);
  });
});

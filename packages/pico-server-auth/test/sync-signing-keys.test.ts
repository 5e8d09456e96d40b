import { afterEach, describe, expect, it, vi } from "vitest";
import { REFRESH_COOLDOWN_MS } from "../src/keys/signing-keys.js";
import { FakeSignalBus, FakeSigningKeyStore, signingKeys } from "./sync-fakes.js";

type Instance = ReturnType<typeof signingKeys>;
const started: Instance[] = [];

/** `count` instances over one store, booted at once. */
async function boot(store: FakeSigningKeyStore, bus: FakeSignalBus, count: number, overrides: Parameters<typeof signingKeys>[2] = {}): Promise<Instance[]> {
  const instances = Array.from({ length: count }, () => signingKeys(store, bus.instance(), overrides));
  started.push(...instances);
  await Promise.all(instances.map((k) => k.onInit()));
  return instances;
}

const kidsOf = async (k: Instance) => (await k.jwks()).keys.map((jwk) => jwk.kid);
const token = (k: Instance) => k.sign({ sub: "someone", exp: k.now() + 60 });

afterEach(() => {
  for (const k of started.splice(0)) k.onDestroy();
});

describe("signing keys shared by several instances", () => {
  it("five instances booting at once on an empty store create one key, and publish the same JWKS", async () => {
    const store = new FakeSigningKeyStore();
    const instances = await boot(store, new FakeSignalBus(), 5);
    expect(store.keys).toHaveLength(1);
    // They all tried: one compare-and-set won, the four others adopted its key.
    expect(store.adds.filter(Boolean)).toHaveLength(1);
    expect(store.adds).toHaveLength(5);
    const kid = store.keys[0]?.kid;
    for (const k of instances) {
      expect(k.activeKid).toBe(kid);
      expect(await kidsOf(k)).toEqual([kid]);
    }
    expect(new Set(await Promise.all(instances.map(async (k) => JSON.stringify(await k.jwks()))))).toHaveProperty("size", 1);
    // One key created, announced once: the losers only say so at debug.
    expect(instances.flatMap((k) => k.logger.events("auth.key_created"))).toHaveLength(1);
    expect(instances.flatMap((k) => k.logger.lines.filter((l) => l.message.includes("another instance changed the signing key first")).map((l) => l.level))).toEqual(["debug", "debug", "debug", "debug"]);
    // Each verifies what another signed.
    expect(instances[1]?.verified(await token(instances[0] as Instance))).toBeDefined();
  });

  it("a rotation falling due rotates once across three instances, and all of them converge on the new key", async () => {
    const store = new FakeSigningKeyStore();
    const [a, b, c] = (await boot(store, new FakeSignalBus(), 3, { keyRotationDays: 1 })) as [Instance, Instance, Instance];
    const first = a.activeKid;
    const due = a.now() + 86_400 + 1;
    const addsAtBoot = store.adds.length;
    for (const k of [a, b, c]) k.now = () => due;
    // Every instance finds the rotation due at the same moment, and signs.
    const tokens = await Promise.all([a, b, c].flatMap((k) => [token(k), token(k)]));
    expect(store.keys.map((k) => k.kid)).toEqual([first, expect.any(String)]);
    const second = store.keys[1]?.kid;
    expect(store.adds.slice(addsAtBoot).filter(Boolean)).toHaveLength(1);
    expect([a, b, c].flatMap((k) => k.logger.events("auth.key_rotated"))).toHaveLength(1);
    for (const k of [a, b, c]) {
      expect(k.activeKid).toBe(second);
      expect(await kidsOf(k)).toEqual([second, first]);
      for (const t of tokens) expect(k.verified(t)).toBeDefined();
    }
    // No second rotation until another period has passed.
    await Promise.all([a, b, c].map(token));
    expect(store.keys).toHaveLength(2);
  });

  it("a rotation on one instance is adopted by the others at once through the change signal", async () => {
    const store = new FakeSigningKeyStore();
    const bus = new FakeSignalBus();
    const [a, b] = (await boot(store, bus, 2)) as [Instance, Instance];
    const before = await b.jwks();
    bus.published.length = 0;
    await a.rotate();
    expect(bus.published).toEqual(["signing-keys"]);
    // No poll (sync_interval_ms is a minute here): only the signal can tell b.
    await vi.waitFor(() => expect(b.activeKid).toBe(a.activeKid), { timeout: 200, interval: 5 });
    expect(await kidsOf(b)).toEqual(await kidsOf(a));
    expect(await b.jwks()).not.toBe(before);
    expect(b.logger.events("auth.key_rotated")).toEqual([]);
  });

  it("without signals, the others adopt a rotation within sync_interval_ms, and keep the same JWKS object while nothing changes", async () => {
    const store = new FakeSigningKeyStore();
    const bus = new FakeSignalBus();
    bus.delivering = false;
    const [a, b] = (await boot(store, bus, 2, { syncIntervalMs: 50 })) as [Instance, Instance];
    const unchanged = await b.jwks();
    const reads = store.reads.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Polled, and the same object: the guard's verified-token cache stays valid.
    expect(store.reads.length).toBeGreaterThan(reads + 2);
    expect(await b.jwks()).toBe(unchanged);

    await a.rotate();
    const rotatedAt = Date.now();
    await vi.waitFor(() => expect(b.activeKid).toBe(a.activeKid), { timeout: 1000, interval: 5 });
    // The interval plus a read, with slack for a loaded machine (without polling, it is never seen).
    expect(Date.now() - rotatedAt).toBeLessThan(50 + 250);
  });

  it("a token with an unknown kid rereads the store: a burst shares one read, and rereads come at most once a second", async () => {
    const store = new FakeSigningKeyStore();
    const bus = new FakeSignalBus();
    bus.delivering = false;
    const [a, b] = (await boot(store, bus, 2)) as [Instance, Instance];
    await a.rotate();
    expect(b.activeKid).not.toBe(a.activeKid);
    const reads = store.reads.length;
    const burst = await Promise.all(Array.from({ length: 20 }, () => b.jwks({ refresh: true })));
    expect(store.reads.length).toBe(reads + 1);
    expect(burst[0]?.keys[0]?.kid).toBe(a.activeKid);
    for (const set of burst) expect(set).toBe(burst[0]);
    // Within the cooldown, a made-up kid waits for the next read instead of causing one per request.
    await Promise.all(Array.from({ length: 20 }, () => b.jwks({ refresh: true })));
    expect(store.reads.length).toBe(reads + 2);
    const [previous, last] = store.reads.slice(-2) as [number, number];
    expect(last - previous).toBeGreaterThanOrEqual(REFRESH_COOLDOWN_MS - 5);
  });

  it("within the cooldown, an unknown kid is answered by the next poll when that comes before the cooldown's end", async () => {
    const store = new FakeSigningKeyStore();
    const bus = new FakeSignalBus();
    bus.delivering = false;
    const [a, b] = (await boot(store, bus, 2, { syncIntervalMs: 100 })) as [Instance, Instance];
    await a.rotate();
    const asked = Date.now();
    const set = await b.jwks({ refresh: true });
    expect(set.keys[0]?.kid).toBe(a.activeKid);
    expect(Date.now() - asked).toBeLessThan(REFRESH_COOLDOWN_MS / 2);
  });

  it("a failed reread keeps the keys in memory: signing and verifying keep working, and the outage is logged once", async () => {
    const store = new FakeSigningKeyStore();
    const [a] = (await boot(store, new FakeSignalBus(), 1, { syncIntervalMs: 50 })) as [Instance];
    const published = await a.jwks();
    store.failing = new Error("connection refused");
    await vi.waitFor(() => expect(a.logger.events("auth.sync_failed")).toHaveLength(1), { timeout: 1000, interval: 5 });
    const failedReads = store.reads.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(store.reads.length).toBeGreaterThan(failedReads + 1);
    expect(a.logger.events("auth.sync_failed")).toHaveLength(1);
    // An unknown kid during the outage: answered with the keys in memory, not an error.
    expect(await a.jwks({ refresh: true })).toBe(published);
    expect(a.verified(await token(a))).toBeDefined();
    expect(await a.jwks()).toBe(published);

    store.failing = undefined;
    await vi.waitFor(() => expect(a.logger.events("auth.sync_recovered")).toHaveLength(1), { timeout: 1000, interval: 5 });
    expect(a.logger.events("auth.sync_failed")).toHaveLength(1);
  });

  it("a key withdrawn on another instance disappears from this one's JWKS, with every token it signed", async () => {
    const store = new FakeSigningKeyStore();
    const [a, b] = (await boot(store, new FakeSignalBus(), 2)) as [Instance, Instance];
    const leaked = a.activeKid as string;
    const old = await token(b);
    await a.rotate();
    await vi.waitFor(() => expect(b.activeKid).toBe(a.activeKid), { timeout: 200, interval: 5 });
    expect(b.verified(old)).toBeDefined();
    await a.withdraw(leaked);
    await vi.waitFor(() => expect(b.verified(old)).toBeUndefined(), { timeout: 200, interval: 5 });
    expect(await kidsOf(b)).toEqual([a.activeKid]);
  });

  it("stops polling and listening once destroyed", async () => {
    const store = new FakeSigningKeyStore();
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

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { InMemoryChallengeStore } from "../src/challenge/challenge-store.js";
import { InMemoryRateLimitStore } from "../src/limits/memory-rate-limit-store.js";
import type { ServerAuthSettings } from "../src/settings.js";
import { openSqliteFastState } from "../src/state/sqlite/index.js";
import type { SqliteChallengeStore, SqliteRateLimitStore } from "../src/state/sqlite/index.js";
import { challengeStoreContract, rateLimitStoreContract } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "pico-fast-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A fake clock shared by every instance of one test. */
function fakeClock(...subjects: { now: () => number }[]): (ms: number) => void {
  let t = Date.now();
  for (const s of subjects) s.now = () => t;
  return (ms) => void (t += ms);
}

function settings(ttlSeconds = 60, maxChallenges = 1000): ServerAuthSettings {
  return { challengeTtlSeconds: ttlSeconds, maxChallenges, dataDir: dir } as ServerAuthSettings;
}

/** Two workers: two connections to one new shared.db. */
function twoWorkers(ttlSeconds?: number, maxChallenges?: number) {
  const path = join(dir, `shared-${++files}.db`);
  const [a, b] = [openSqliteFastState(settings(ttlSeconds, maxChallenges), path), openSqliteFastState(settings(ttlSeconds, maxChallenges), path)];
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

const inMemory = async () => undefined;

challengeStoreContract("in memory", async ({ ttlSeconds, maxChallenges }) => {
  const store = new InMemoryChallengeStore(settings(ttlSeconds, maxChallenges));
  return { store, advance: fakeClock(store), close: inMemory };
});

challengeStoreContract("SQLite shared.db, two workers", async ({ ttlSeconds, maxChallenges }) => {
  const { a, b, close } = twoWorkers(ttlSeconds, maxChallenges);
  return { store: a.challenges, peers: [b.challenges], advance: fakeClock(a.challenges as SqliteChallengeStore, b.challenges as SqliteChallengeStore), close };
});

rateLimitStoreContract("in memory", async () => {
  const store = new InMemoryRateLimitStore();
  return { store, now: () => store.now(), advance: fakeClock(store), close: inMemory };
});

rateLimitStoreContract("SQLite shared.db, two workers", async () => {
  const { a, b, close } = twoWorkers();
  const [counters, peer] = [a.counters as SqliteRateLimitStore, b.counters as SqliteRateLimitStore];
  return { store: counters, peers: [peer], now: () => counters.now(), advance: fakeClock(counters, peer), close };
});

rateLimitStoreContract("SQLite shared.db, real clock", async () => {
  const { a, b, close } = twoWorkers();
  return { store: a.counters, peers: [b.counters], close };
});

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Application } from "pico-boot";
import { PicoContainer } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ServerAuthConfigurationError, StoreUnavailableError } from "../src/errors.js";
import { InMemoryRateLimitStore } from "../src/limits/memory-rate-limit-store.js";
import type { ServerAuthSettings } from "../src/settings.js";
import { DURABLE_STATE } from "../src/state/durable-state.js";
import type { DurableState } from "../src/state/durable-state.js";
import { FAST_STATE } from "../src/state/fast-state.js";
import type { FastState } from "../src/state/fast-state.js";
import { memoryFastState } from "../src/state/memory-fast-state.js";
import { openFastState } from "../src/state/open-fast-state.js";
import { SHARED_DB_FILE, openSqliteFastState } from "../src/state/sqlite/index.js";
import { CHANGE_SIGNAL } from "../src/sync/change-signal.js";
import type { ChangeSignal } from "../src/sync/change-signal.js";
import { ChangeSignalProvider } from "../src/sync/change-signal-provider.js";
import { noSignal } from "../src/sync/no-signal.js";
import { ADMIN, ed25519Wallet, postJson, serverApp } from "./support.js";

const root = mkdtempSync(join(tmpdir(), "pico-fast-state-select-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => join(root, `data-${++dirs}`);

function recordingLogger(): Logger & { lines: [string, string][] } {
  const lines: [string, string][] = [];
  const at = (level: string) => (message: string) => void lines.push([level, message]);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function settings(overrides: Partial<ServerAuthSettings> = {}): ServerAuthSettings {
  return { store: "sqlite", dataDir: newDir(), challengeTtlSeconds: 60, maxChallenges: 100, ...overrides } as ServerAuthSettings;
}

const opened: FastState[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
async function open(s: ServerAuthSettings, logger: Logger, choice: Parameters<typeof openFastState>[2]): Promise<FastState> {
  const state = await openFastState(s, logger, choice);
  opened.push(state);
  return state;
}

describe("which fast state (openFastState)", () => {
  it("one process keeps challenges and counters in memory, on the SQLite store too: no shared.db, nothing logged", async () => {
    const logger = recordingLogger();
    const s = settings();
    expect((await open(s, logger, { isWorker: false })).kind).toBe("memory");
    expect(existsSync(join(s.dataDir, SHARED_DB_FILE))).toBe(false);
    expect(logger.lines).toEqual([]);
  });

  it("a cluster worker on the SQLite store shares data_dir/shared.db: mode 0600, WAL, said at info", async () => {
    const logger = recordingLogger();
    const s = settings();
    expect((await open(s, logger, { isWorker: true })).kind).toBe("sqlite");
    const file = join(s.dataDir, SHARED_DB_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
    expect(logger.lines).toEqual([["info", expect.stringContaining("shared by this machine's workers through shared.db")]]);
  });

  it("a worker on another store without Redis keeps them per worker, and warns that limits then count per worker", async () => {
    const logger = recordingLogger();
    expect((await open(settings({ store: "postgres" }), logger, { isWorker: true })).kind).toBe("memory");
    expect(logger.lines).toEqual([["warn", expect.stringContaining("limits count per worker; set server_auth.redis_url")]]);
  });

  it("redis_url set: the Redis backend is opened with the settings, whatever the store and the process", async () => {
    const redis: FastState = { ...memoryFastState(settings()), kind: "redis" };
    const s = settings({ redisUrl: "redis://:hunter2@127.0.0.1:6379" });
    const calls: ServerAuthSettings[] = [];
    const state = await openFastState(s, recordingLogger(), { isWorker: true, importRedis: async () => ({ openRedisState: async (given) => (calls.push(given), redis) }) });
    expect([state, calls]).toEqual([redis, [s]]);
  });

  it("redis_url set but the Redis backend cannot be loaded: a configuration error naming the setting and the missing module, never the URL", async () => {
    const missing = Object.assign(new Error("Cannot find package 'redis' imported from /app/state/redis/index.js"), { code: "ERR_MODULE_NOT_FOUND" });
    const failure = await openFastState(settings({ redisUrl: "redis://:hunter2@127.0.0.1:6379" }), recordingLogger(), { importRedis: () => Promise.reject(missing) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServerAuthConfigurationError);
    expect((failure as Error).message).toMatch(/^server_auth\.redis_url is set, but the Redis backend cannot be loaded \(Cannot find package 'redis'/);
    expect((failure as Error).message).not.toContain("hunter2");
    // Any other failure of the backend is its own, unchanged.
    const refused = new StoreUnavailableError("Redis unreachable");
    await expect(openFastState(settings({ redisUrl: "redis://127.0.0.1:1" }), recordingLogger(), { importRedis: async () => ({ openRedisState: () => Promise.reject(refused) }) })).rejects.toBe(refused);
  });
});

/** Two workers of one machine: two apps whose fast state is one shared.db (what FastStateProvider opens in each cluster worker). */
function twoWorkers(server: Record<string, unknown> = {}): [Application, Application] {
  const path = join(newDir(), SHARED_DB_FILE);
  return [0, 1].map(() => {
    const state = openSqliteFastState(settings({ challengeTtlSeconds: 60, maxChallenges: 1000 }), path);
    opened.push(state);
    return serverApp({ server, overrides: [{ provide: FAST_STATE, useValue: state }] });
  }) as [Application, Application];
}

const apps: Application[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

async function status(app: Application, path: string, body: unknown): Promise<number> {
  return (await app.request(`/api/v1/auth/${path}`, postJson(body))).status;
}

describe("workers sharing shared.db", () => {
  it("a challenge issued by one worker redeems on the other, exactly once: 20 concurrent sign-ins over both, one 200", async () => {
    const [a, b] = twoWorkers({ wallet_mode: "upstream" });
    apps.push(a, b);
    const wallet = ed25519Wallet();
    const { challenge } = (await (await a.request("/api/v1/auth/challenge", postJson({ address: "0xshared" }))).json()) as { challenge: string };
    const body = { address: "0xshared", public_key: wallet.publicKeyHex, signature: wallet.signRaw(challenge), challenge, algorithm: "Ed25519" };
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => status(i % 2 === 0 ? b : a, "sign-in", body)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
  });

  it("the challenge quota counts over both workers", async () => {
    const [a, b] = twoWorkers({ challenges_per_client: 3 });
    apps.push(a, b);
    expect([await status(a, "challenge", { address: "0x1" }), await status(b, "challenge", { address: "0x2" }), await status(a, "challenge", { address: "0x3" })]).toEqual([200, 200, 200]);
    expect(await status(b, "challenge", { address: "0x4" })).toBe(429);
  });

  it("the login limit counts over both workers: failures on each, then 429 on either, even for the right password", async () => {
    const [a, b] = twoWorkers({ login_max_failures: 2 });
    apps.push(a, b);
    expect([await status(a, "login", { email: ADMIN.email, password: "guess-1" }), await status(b, "login", { email: ADMIN.email, password: "guess-2" })]).toEqual([401, 401]);
    expect(await status(a, "login", { email: ADMIN.email, password: ADMIN.password })).toBe(429);
    expect(await status(b, "login", { email: ADMIN.email, password: ADMIN.password })).toBe(429);
  });

  it("the refresh quota counts over both workers", async () => {
    const [a, b] = twoWorkers({ refreshes_per_client: 2 });
    apps.push(a, b);
    expect([await status(a, "refresh", { refresh_token: "x" }), await status(b, "refresh", { refresh_token: "y" })]).toEqual([401, 401]);
    expect(await status(a, "refresh", { refresh_token: "z" })).toBe(429);
  });
});

describe("/readyz shared_state", () => {
  /** A Redis-kind fast state (memory inside) whose round trip fails while `down`. */
  function steeredRedis(): FastState & { down: boolean } {
    const inner = memoryFastState(settings());
    const state = {
      ...inner,
      kind: "redis" as const,
      down: false,
      check: async () => {
        if (state.down) throw new StoreUnavailableError("Redis unreachable");
      },
    };
    return state;
  }

  it("is checked when the fast state is Redis: ok, then 503 naming the reason while it cannot answer", async () => {
    const redis = steeredRedis();
    const app = serverApp({ overrides: [{ provide: FAST_STATE, useValue: redis }] });
    apps.push(app);
    const first = await app.request("/readyz");
    expect([first.status, ((await first.json()) as { checks: unknown }).checks]).toEqual([200, { store: "ok", signing_key: "ok", shared_state: "ok" }]);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    redis.down = true;
    const down = await app.request("/readyz");
    expect([down.status, ((await down.json()) as { checks: unknown }).checks]).toEqual([503, { store: "ok", signing_key: "ok", shared_state: "the auth store is unavailable: Redis unreachable; try again later" }]);
  });

  it("is not listed for the workers' shared.db (it lives in data_dir beside auth.db, which \"store\" checks)", async () => {
    const [a] = twoWorkers();
    apps.push(a);
    expect(await (await a.request("/readyz")).json()).toEqual({ status: "ready", checks: { store: "ok", signing_key: "ok" } });
  });
});

describe("CHANGE_SIGNAL (ChangeSignalProvider)", () => {
  const signal = (name: string): ChangeSignal & { name: string } => ({ name, publish: async () => undefined, subscribe: () => () => undefined });
  const durable = (own?: ChangeSignal) => ({ kind: "postgres", ...(own && { signal: own }) }) as unknown as DurableState;
  const fast = (own?: ChangeSignal): FastState => ({ ...memoryFastState(settings()), ...(own && { signal: own }) });

  async function chosen(fastState: FastState, durableState: DurableState): Promise<ChangeSignal> {
    const container = await PicoContainer.create({ components: [ChangeSignalProvider], overrides: [{ provide: FAST_STATE, useValue: fastState }, { provide: DURABLE_STATE, useValue: durableState }] });
    const picked = container.get(CHANGE_SIGNAL);
    await container.destroy();
    return picked;
  }

  it("is the fast state's (Redis pub/sub) if it has one, else the durable state's (LISTEN/NOTIFY), else noSignal (polling alone)", async () => {
    const [redis, postgres] = [signal("redis"), signal("postgres")];
    expect(await chosen(fast(redis), durable(postgres))).toBe(redis);
    expect(await chosen(fast(), durable(postgres))).toBe(postgres);
    expect(await chosen(fast(), durable())).toBe(noSignal);
  });

  it("noSignal publishes to no one and never calls a listener", async () => {
    let called = 0;
    const unsubscribe = noSignal.subscribe("revocations", () => void called++);
    await noSignal.publish("revocations");
    unsubscribe();
    expect(called).toBe(0);
  });
});

it("the in-memory counters keep at most `capacity` keys, dropping the oldest window first (a hit does not make a window younger)", async () => {
  const store = new InMemoryRateLimitStore(3);
  for (const key of ["a", "b", "c"]) await store.hit(key, 60_000);
  await store.hit("a", 60_000);
  await store.hit("d", 60_000);
  expect([store.size, await store.peek("a"), await store.peek("b")]).toEqual([3, undefined, expect.objectContaining({ count: 1 })]);
  expect(() => new InMemoryRateLimitStore(0)).toThrow(/"capacity" expected a positive integer, got 0/);
});

import { afterEach, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../src/errors.js";
import { DURABLE_STATE } from "../src/state/durable-state.js";
import { InMemoryAuthStore, memoryState } from "../src/store/memory-store.js";
import { ADMIN, postJson, serverApp } from "./support.js";
import type { Application } from "pico-boot";

/** The memory store, whose reads fail (as a store on a dead disk does) or hang while the test says so. */
class SteeredStore extends InMemoryAuthStore {
  mode: "up" | "failing" | "hanging" = "up";

  override firstSigningKey(): Promise<string | undefined> {
    if (this.mode === "failing") return Promise.reject(new StoreUnavailableError("disk I/O error"));
    if (this.mode === "hanging") return new Promise(() => {});
    return super.firstSigningKey();
  }
}

const apps: Application[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

async function readyz(app: Application): Promise<[number, unknown]> {
  const res = await app.request("/readyz");
  return [res.status, await res.json()];
}

const waitPastCache = () => new Promise((resolve) => setTimeout(resolve, 1050));

describe("/readyz of the auth server", () => {
  it("ready: the store answers and a signing key is loaded", async () => {
    const app = serverApp();
    apps.push(app);
    expect(await readyz(app)).toEqual([200, { status: "ready", checks: { store: "ok", signing_key: "ok" } }]);
  });

  it("503 while the store fails, naming its reason; ready again within a second of its recovery", async () => {
    const store = new SteeredStore();
    const app = serverApp({ overrides: [{ provide: DURABLE_STATE, useValue: memoryState(store) }] });
    apps.push(app);
    expect((await readyz(app))[0]).toBe(200);
    await waitPastCache();
    store.mode = "failing";
    expect(await readyz(app)).toEqual([
      503,
      { detail: "Not ready: store (the auth store is unavailable: disk I/O error; try again later)", checks: { store: "the auth store is unavailable: disk I/O error; try again later", signing_key: "ok" } },
    ]);
    store.mode = "up";
    await waitPastCache();
    expect((await readyz(app))[0]).toBe(200);
  });

  it("503 within web.readiness_timeout_ms when the store hangs", async () => {
    const store = new SteeredStore();
    const app = serverApp({ overrides: [{ provide: DURABLE_STATE, useValue: memoryState(store) }], config: { server_auth: { issuer: "http://localhost:8100", audience: "my-app", store: "memory" }, web: { readiness_timeout_ms: 100 } } });
    apps.push(app);
    await app.init();
    store.mode = "hanging";
    expect(await readyz(app)).toEqual([503, { detail: "Not ready: store (timed out after 100 ms)", checks: { store: "timed out after 100 ms", signing_key: "ok" } }]);
  });

  it("with metrics on, store calls are timed by operation", async () => {
    const app = serverApp({ config: { server_auth: { issuer: "http://localhost:8100", audience: "my-app", store: "memory", auto_create_admin: true, admin_email: ADMIN.email, admin_password: ADMIN.password }, web: { metrics: true } } });
    apps.push(app);
    expect((await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }))).status).toBe(200);
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(/^pico_auth_store_duration_seconds_count\{operation="createFamily"\} 1$/m);
    expect(text).toMatch(/^pico_auth_store_duration_seconds_count\{operation="adminCredential"\} [1-9]\d*$/m);
  });
});

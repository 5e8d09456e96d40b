import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BINDING_STORE, DURABLE_STATE, InMemoryAuthStore, SESSION_STORE, SIGNING_KEY_STORE, ServerAuthConfigurationError } from "../src/index.js";
import { uninstrumented } from "../src/store/instrument-port.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";
import { serverApp } from "./support.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-wiring-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("DURABLE_STATE and the port tokens", () => {
  it("server_auth.store picks the backend; every port token is its part of DURABLE_STATE, instrumented", async () => {
    for (const [store, backend] of [
      ["memory", InMemoryAuthStore],
      ["sqlite", SqliteAuthStore],
    ] as const) {
      const app = serverApp({ server: { store, data_dir: mkdtempSync(join(root, "d-")) } });
      try {
        await app.init();
        const state = app.container.get(DURABLE_STATE);
        expect(state.kind).toBe(store);
        const sessions = app.container.get(SESSION_STORE);
        expect(sessions).toBe(state.sessions);
        expect(uninstrumented(sessions)).not.toBe(sessions);
        expect(uninstrumented(sessions)).toBeInstanceOf(backend);
        expect(uninstrumented(app.container.get(BINDING_STORE))).toBe(uninstrumented(sessions));
      } finally {
        await app.stop();
      }
    }
  });

  it("one port is replaced alone: the others still come from DURABLE_STATE", async () => {
    const sessions = new InMemoryAuthStore();
    const app = serverApp({ overrides: [{ provide: SESSION_STORE, useValue: sessions }] });
    try {
      await app.init();
      expect(app.container.get(SESSION_STORE)).toBe(sessions);
      expect(app.container.get(SIGNING_KEY_STORE)).toBe(app.container.get(DURABLE_STATE).signingKeys);
      expect(uninstrumented(app.container.get(SIGNING_KEY_STORE))).not.toBe(sessions);
    } finally {
      await app.stop();
    }
  });

  it("stopping the app closes the SQLite state", async () => {
    const app = serverApp({ server: { store: "sqlite", data_dir: mkdtempSync(join(root, "d-")) } });
    await app.init();
    const sessions = app.container.get(SESSION_STORE);
    await app.stop();
    await expect(sessions.family("f1")).rejects.toThrow("SqliteAuthStore.family() was called after close()");
  });

  it("store: postgres without postgres_url refuses boot, naming the setting and its env variable", async () => {
    const app = serverApp({ server: { store: "postgres" } });
    const error = await app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    await app.stop().catch(() => undefined);
    const found = [error, (error as Error | undefined)?.cause].find((e) => e instanceof ServerAuthConfigurationError) ?? error;
    expect(found).toBeInstanceOf(ServerAuthConfigurationError);
    expect((found as Error).message).toBe("server_auth.store = postgres needs server_auth.postgres_url (env SERVER_AUTH__POSTGRES_URL), e.g. postgres://user:password@host:5432/database");
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { embeddedState } from "../src/store/embedded-state.js";
import { memoryState } from "../src/store/memory-store.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";
import { durableStateContracts } from "../src/testing/index.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-contracts-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

durableStateContracts("memory", async () => {
  const state = memoryState();
  return { store: state, close: () => state.close() };
});

durableStateContracts("SQLite", async () => {
  const state = embeddedState("sqlite", SqliteAuthStore.open(join(root, `s${++files}`, "auth.db")));
  return { store: state, close: () => state.close() };
});

// Two connections to one file, as two processes have: the concurrency cases spread their calls over both.
durableStateContracts("SQLite, two connections on one file", async () => {
  const path = join(root, `s${++files}`, "auth.db");
  const [a, b] = [embeddedState("sqlite", SqliteAuthStore.open(path)), embeddedState("sqlite", SqliteAuthStore.open(path))];
  return {
    store: a,
    peers: [b],
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

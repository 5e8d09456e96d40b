/**
 * The admin credential shared by several instances (or workers) on one store: each instance hashes
 * the configured password itself (its own salt), so the store's generation must be the one every
 * instance stamps admin sessions with, or a session begun on one dies on another.
 */
import { describe, expect, it } from "vitest";
import { AFTER_BOOT_MS } from "../src/after-boot.js";
import { durableApp, login, newDataDir, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

describe("the admin credential across instances", () => {
  it("instances booting together on an empty store stamp admin sessions alike: one begun on A refreshes on B and C", async () => {
    const dataDir = newDataDir();
    const [a, b, c] = [durableApp(dataDir), durableApp(dataDir), durableApp(dataDir)];
    await Promise.all([a.init(), b.init(), c.init()]);
    try {
      // Each hashes the password once boot is over (AFTER_BOOT_MS), all at once, as workers started together do.
      await new Promise((resolve) => setTimeout(resolve, AFTER_BOOT_MS + 500));
      const tokens = await login(a);
      const onB = await refresh(b, tokens.refresh_token);
      expect([onB.status, onB.status === 200 ? "" : await onB.text()]).toEqual([200, ""]);
      const onC = await refresh(c, ((await onB.json()) as Tokens).refresh_token);
      expect([onC.status, onC.status === 200 ? "" : await onC.text()]).toEqual([200, ""]);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });
});

/**
 * Admin sessions follow the account: AdminLogin.currentStamp() names the admin credential's
 * generation in the store. It survives a restart with the same password or hash, and changes with
 * a new one, or once admin login has been off.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import argon2 from "argon2";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_CREDENTIAL_STORE, AdminLogin, DURABLE_STATE, InMemoryAuthStore, memoryState } from "../src/index.js";
import { ADMIN, postJson, serverApp } from "./support.js";

const dataDir = mkdtempSync(join(tmpdir(), "pico-admin-stamp-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Boots on the shared data dir with `server`, returns the stamp (and the stored hash), stops. */
async function stampOf(server: Record<string, unknown>): Promise<{ stamp: string | undefined; hash: string | undefined }> {
  const app = serverApp({ server: { store: "sqlite", data_dir: dataDir, ...server } });
  try {
    await app.init();
    const stamp = await app.container.get(AdminLogin).currentStamp();
    return { stamp, hash: (await app.container.get(ADMIN_CREDENTIAL_STORE).adminCredential())?.hash };
  } finally {
    await app.stop();
  }
}

describe("AdminLogin.currentStamp()", () => {
  it("a restart with the same password keeps the stamp (the stored hash is reused); a new password, a new hash, or admin login switched off and on again change it", async () => {
    const first = await stampOf({});
    expect(first.stamp).toMatch(/^admin:\d+$/);
    expect(first.hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    // Same password: verified against the stored hash, which is kept; same generation.
    expect(await stampOf({})).toEqual(first);
    const changed = await stampOf({ admin_password: "another long passphrase" });
    expect(changed.stamp).not.toBe(first.stamp);
    // Back to the first password: a new hash of it, so a new generation, not the first one again.
    const back = await stampOf({});
    expect([back.stamp === first.stamp, back.stamp === changed.stamp]).toEqual([false, false]);
    expect(await stampOf({})).toEqual(back);

    const hash = await argon2.hash("from-a-vault-123", { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const given = await stampOf({ admin_password: undefined, admin_password_hash: hash });
    expect(given).toEqual({ stamp: expect.not.stringMatching(`^${back.stamp}$`), hash });
    expect(await stampOf({ admin_password: undefined, admin_password_hash: hash })).toEqual(given);
    const otherHash = await argon2.hash("from-a-vault-123", { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect((await stampOf({ admin_password: undefined, admin_password_hash: otherHash })).stamp).not.toBe(given.stamp);

    // Off: no stamp. On again with the same hash: a new generation, so sessions from before stay dead.
    const beforeOff = await stampOf({ admin_password: undefined, admin_password_hash: otherHash });
    const off = serverApp({ server: { store: "sqlite", data_dir: dataDir, auto_create_admin: false } });
    await off.init();
    expect(await off.container.get(AdminLogin).currentStamp()).toBeUndefined();
    await off.stop();
    expect((await stampOf({ admin_password: undefined, admin_password_hash: otherHash })).stamp).not.toBe(beforeOff.stamp);
  });

  it("the credential is saved once, however often the stamp is asked for; a failed save is not remembered, the next call tries again", async () => {
    class FlakyStore extends InMemoryAuthStore {
      saves = 0;
      override async saveAdminCredential(hash: string): Promise<number> {
        if (++this.saves === 1) throw new Error("disk I/O error");
        return super.saveAdminCredential(hash);
      }
    }
    const store = new FlakyStore();
    const app = serverApp({ server: { argon2_memory_kib: 1024, argon2_time_cost: 1, allow_weak_settings: true }, overrides: [{ provide: DURABLE_STATE, useValue: memoryState(store) }] });
    await app.init();
    const login = app.container.get(AdminLogin);
    await expect(login.currentStamp()).rejects.toThrow("disk I/O error");
    expect(await Promise.all([login.currentStamp(), login.currentStamp(), login.currentStamp()])).toEqual(["admin:1", "admin:1", "admin:1"]);
    expect(store.saves).toBe(2);
    await app.stop();
  });

  it("the stamp does not wait for a login, nor a login for the stamp; both use the one hash", async () => {
    const app = serverApp({ server: { argon2_memory_kib: 1024, argon2_time_cost: 1, allow_weak_settings: true } });
    const [stamp, login] = await Promise.all([app.init().then(() => app.container.get(AdminLogin).currentStamp()), app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }))]);
    expect([stamp, login.status]).toEqual(["admin:1", 200]);
    await app.stop();
  });
});

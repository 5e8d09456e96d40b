import { describe, expect, it } from "vitest";
import type { AdminCredentialStore } from "../login/admin-credential-store.js";
import { connections, eachOpened } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/** The contract of ADMIN_CREDENTIAL_STORE. `open` gives a store on empty state for each case. */
export function adminCredentialStoreContract(name: string, open: () => Promise<OpenedStore<AdminCredentialStore>>): void {
  describe(`AdminCredentialStore contract: ${name}`, () => {
    const opened = eachOpened(open);
    const store = () => opened().store;

    it("starts unset; the first hash is generation 1, the same hash keeps it, another one increments it", async () => {
      expect(await store().adminCredential()).toBeUndefined();
      expect(await store().saveAdminCredential("h1")).toBe(1);
      expect(await store().saveAdminCredential("h1")).toBe(1);
      expect(await store().saveAdminCredential("h2")).toBe(2);
      expect(await store().adminCredential()).toStrictEqual({ hash: "h2", generation: 2 });
      expect(await store().saveAdminCredential("h1")).toBe(3);
    });

    it("10 concurrent saves of different hashes each get a generation of their own, the last one stored", async () => {
      const all = connections(opened());
      const generations = await Promise.all(Array.from({ length: 10 }, (_, i) => all[i % all.length]!.saveAdminCredential(`h${i}`)));
      expect([...generations].sort((a, b) => a - b)).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await store().adminCredential()).toStrictEqual({ hash: `h${generations.indexOf(10)}`, generation: 10 });
    });
  });
}

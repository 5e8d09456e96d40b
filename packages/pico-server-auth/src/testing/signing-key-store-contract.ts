import { describe, expect, it } from "vitest";
import type { SigningKeyStore } from "../keys/signing-key-store.js";
import { key } from "./fixtures.js";
import { connections, eachOpened } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/**
 * The contract of SIGNING_KEY_STORE. `open` gives a store on empty state for each case (with `peers`,
 * connections to that same state, the compare-and-set is checked between them too).
 *
 * @example
 * signingKeyStoreContract("memory", async () => ({ store: new InMemoryAuthStore(), close: async () => {} }));
 */
export function signingKeyStoreContract(name: string, open: () => Promise<OpenedStore<SigningKeyStore>>): void {
  describe(`SigningKeyStore contract: ${name}`, () => {
    const opened = eachOpened(open);
    const store = () => opened().store;

    it("starts with no key and no first key", async () => {
      expect([await store().signingKeys(), await store().firstSigningKey()]).toStrictEqual([[], undefined]);
    });

    it("adding a key retires every unretired one at its createdAt, keeps earlier retirements, and lists oldest first", async () => {
      expect(await store().addSigningKey(key("k1", 100), undefined)).toBe(true);
      expect(await store().addSigningKey(key("k2", 200), "k1")).toBe(true);
      expect(await store().addSigningKey(key("k3", 300), "k2")).toBe(true);
      expect(await store().signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 }, { ...key("k2", 200), retiredAt: 300 }, key("k3", 300)]);
    });

    it("compare-and-set: a key whose expected active kid is not the active one is not added, and nothing changes", async () => {
      expect(await store().addSigningKey(key("k1", 100), "ghost")).toBe(false);
      expect(await store().signingKeys()).toStrictEqual([]);
      await store().addSigningKey(key("k1", 100), undefined);
      expect(await store().addSigningKey(key("k2", 200), undefined)).toBe(false);
      await store().addSigningKey(key("k2", 200), "k1");
      // A rotation from a stale view (k1 was active when that instance looked).
      expect(await store().addSigningKey(key("k3", 300), "k1")).toBe(false);
      expect(await store().signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 }, key("k2", 200)]);
      expect(await store().firstSigningKey()).toBe("k1");
    });

    it("keeps the material exactly as given", async () => {
      const material = JSON.stringify({ mlDsaSeed: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", note: "ü\n\"quoted\"" });
      await store().addSigningKey({ kid: "k", alg: "ML-DSA-65", material, createdAt: 5 }, undefined);
      expect((await store().signingKeys())[0]?.material).toBe(material);
    });

    it("an existing kid fails and retires nothing", async () => {
      await store().addSigningKey(key("k1", 100), undefined);
      await expect(store().addSigningKey(key("k1", 200), "k1")).rejects.toThrow();
      expect(await store().signingKeys()).toStrictEqual([key("k1", 100)]);
    });

    it("deletes only the named key; deleting an unknown kid changes nothing", async () => {
      await store().addSigningKey(key("k1", 100), undefined);
      await store().addSigningKey(key("k2", 200), "k1");
      await store().deleteSigningKey("k1");
      await store().deleteSigningKey("nope");
      expect(await store().signingKeys()).toStrictEqual([key("k2", 200)]);
    });

    it("firstSigningKey is the kid of the first key ever added, also after that key is deleted", async () => {
      await store().addSigningKey(key("k1", 100), undefined);
      await store().addSigningKey(key("k2", 200), "k1");
      await store().deleteSigningKey("k1");
      expect(await store().firstSigningKey()).toBe("k1");
    });

    it("5 concurrent first keys (instances booting at once on empty state): exactly one is added", async () => {
      const all = connections(opened());
      const added = await Promise.all(Array.from({ length: 5 }, (_, i) => all[i % all.length]!.addSigningKey(key(`boot-${i}`, 100), undefined)));
      expect(added.filter(Boolean)).toHaveLength(1);
      expect(await store().signingKeys()).toStrictEqual([key(`boot-${added.indexOf(true)}`, 100)]);
    });

    it("5 concurrent rotations from one active key: exactly one is added, the old key retired once", async () => {
      await store().addSigningKey(key("k1", 100), undefined);
      const all = connections(opened());
      const added = await Promise.all(Array.from({ length: 5 }, (_, i) => all[i % all.length]!.addSigningKey(key(`r-${i}`, 200 + i), "k1")));
      expect(added.filter(Boolean)).toHaveLength(1);
      const winner = added.indexOf(true);
      expect(await store().signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 + winner }, key(`r-${winner}`, 200 + winner)]);
    });
  });
}

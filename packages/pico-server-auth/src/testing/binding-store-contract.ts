import { describe, expect, it } from "vitest";
import type { BindingStore } from "../bindings/binding-store.js";
import { connections, eachOpened } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/**
 * The contract of BINDING_STORE. `open` gives a store on empty state for each case (`peers`: other
 * connections to it, over which the concurrency cases spread their calls).
 */
export function bindingStoreContract(name: string, open: () => Promise<OpenedStore<BindingStore>>): void {
  describe(`BindingStore contract: ${name}`, () => {
    const opened = eachOpened(open);
    const store = () => opened().store;
    const k1 = { algorithm: "Ed25519", publicKey: "aa" };
    const k2 = { algorithm: "ML-DSA-65", publicKey: "bb" };

    it("the first key wins and every later call returns it", async () => {
      expect(await store().bindAddress("0x1", k1)).toStrictEqual(k1);
      expect(await store().bindAddress("0x1", k2)).toStrictEqual(k1);
      expect(await store().bindAddress("0x1", k1)).toStrictEqual(k1);
    });

    it("each address has its own binding", async () => {
      await store().bindAddress("0x1", k1);
      expect(await store().bindAddress("0x2", k2)).toStrictEqual(k2);
      expect(await store().bindAddress("0x1", k2)).toStrictEqual(k1);
    });

    it("200 concurrent binds of one address with different keys all return the same one, the one bound", async () => {
      const all = connections(opened());
      const keys = Array.from({ length: 200 }, (_, i) => ({ algorithm: "Ed25519", publicKey: `key-${i}` }));
      const held = await Promise.all(keys.map((k, i) => all[i % all.length]!.bindAddress("0xcontended", k)));
      expect(new Set(held.map((b) => b.publicKey)).size).toBe(1);
      expect(await store().binding("0xcontended")).toStrictEqual(held[0]);
    });

    it("binding() is the exact address's holder, without case folding", async () => {
      await store().bindAddress("0xAb", k1);
      expect(await store().binding("0xAb")).toStrictEqual(k1);
      expect(await store().binding("0xab")).toBeUndefined();
    });

    it("unbindAddress frees the address for the next key, and is false when there was nothing to unbind", async () => {
      await store().bindAddress("0x1", k1);
      expect(await store().unbindAddress("0x1")).toBe(true);
      expect(await store().unbindAddress("0x1")).toBe(false);
      expect(await store().bindAddress("0x1", k2)).toStrictEqual(k2);
    });

    it("moveAddress rebinds only from the current holder (compare-and-set); 20 concurrent moves: exactly one wins", async () => {
      await store().bindAddress("0x1", k1);
      expect(await store().moveAddress("0x1", k2, k1)).toBe(false);
      expect(await store().moveAddress("0x2", k1, k2)).toBe(false);
      const all = connections(opened());
      const targets = Array.from({ length: 20 }, (_, i) => ({ algorithm: "Ed25519", publicKey: `c${i}` }));
      const moved = await Promise.all(targets.map((to, i) => all[i % all.length]!.moveAddress("0x1", k1, to)));
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect(await store().binding("0x1")).toStrictEqual(targets[moved.indexOf(true)]);
      expect(await store().binding("0x2")).toBeUndefined();
    });
  });
}

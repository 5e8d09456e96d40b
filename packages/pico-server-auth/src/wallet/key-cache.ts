import { createPublicKey, type KeyObject } from "node:crypto";

/** Small bounded cache of public KeyObjects: the same wallet signs in repeatedly. */
export const KEY_CACHE_MAX_ENTRIES = 1000;

const cache = new Map<string, KeyObject>();

/**
 * Returns the KeyObject for an SPKI DER encoding, building and caching it on first use.
 * Throws (like `createPublicKey`) when the encoding or point is invalid; failures are not cached.
 * Eviction drops the oldest inserted entry (Map iteration order).
 */
export function publicKeyFromSpki(spki: Buffer): KeyObject {
  const id = spki.toString("hex");
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  if (cache.size >= KEY_CACHE_MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(id, key);
  return key;
}

/** For tests. */
export function keyCacheSize(): number {
  return cache.size;
}

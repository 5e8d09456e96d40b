import type { TokenClaims } from "./claims.js";

interface Entry {
  readonly token: string;
  readonly claims: TokenClaims;
  readonly keySetVersion: number;
  /** The cache's clock when the entry was last moved to the most recent end. */
  touched: number;
}

/**
 * Verified tokens by their exact text, least recently used evicted first. An entry is served only
 * while its token is unexpired and the key set it was verified with is still current, so a removed
 * key invalidates every token it signed at once.
 *
 * Recency is kept approximately: a hit moves its entry to the recent end (two map writes) only once
 * it has drifted into the older half, so a hot token costs one map read per request and is still
 * never evicted while it is used at least once every `max / 2` insertions.
 *
 * Entries are keyed by the token's last characters (its signature's), compared in full on a hit:
 * hashing a kilobyte-long token on every request costs more than everything else here together.
 * Only verified tokens are stored, so nobody can plant an entry whose key another token's shares.
 */
export class TokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  #clock = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /**
   * The claims cached for `token`, if unexpired and verified with the current key set.
   * `currentVersion` is asked only on a hit; `undefined` (the key set is not at hand) is a miss
   * that keeps the entry.
   */
  get(token: string, currentVersion: () => number | undefined, nowSeconds: number, leewaySeconds: number): TokenClaims | undefined {
    const key = keyOf(token);
    const entry = this.#entries.get(key);
    if (entry?.token !== token) return undefined;
    const version = currentVersion();
    if (version === undefined) return undefined;
    if (entry.keySetVersion !== version || nowSeconds >= entry.claims.exp + leewaySeconds) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.#clock - entry.touched >= this.#max / 2) {
      this.#entries.delete(key);
      entry.touched = ++this.#clock;
      this.#entries.set(key, entry);
    }
    return entry.claims;
  }

  set(token: string, claims: TokenClaims, keySetVersion: number): void {
    if (this.#max === 0) return;
    const key = keyOf(token);
    this.#entries.delete(key);
    this.#entries.set(key, { token, claims, keySetVersion, touched: ++this.#clock });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

const KEY_LENGTH = 32;

function keyOf(token: string): string {
  return token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token;
}

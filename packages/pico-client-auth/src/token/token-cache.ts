import type { TokenClaims } from "./claims.js";

interface Entry {
  readonly claims: TokenClaims;
  readonly keySetVersion: number;
}

/**
 * Verified tokens by their exact text, least recently used evicted first. An entry is served only
 * while its token is unexpired and the key set it was verified with is still current, so a removed
 * key invalidates every token it signed at once.
 */
export class TokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(max: number) {
    this.#max = max;
  }

  get(token: string, keySetVersion: number, nowSeconds: number, leewaySeconds: number): TokenClaims | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    this.#entries.delete(token);
    if (entry.keySetVersion !== keySetVersion || nowSeconds >= entry.claims.exp + leewaySeconds) return undefined;
    this.#entries.set(token, entry); // most recently used goes last
    return entry.claims;
  }

  has(token: string): boolean {
    return this.#entries.has(token);
  }

  set(token: string, claims: TokenClaims, keySetVersion: number): void {
    if (this.#max === 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, { claims, keySetVersion });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

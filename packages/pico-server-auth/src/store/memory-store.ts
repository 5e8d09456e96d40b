import type { AddressBinding } from "../bindings/address-bindings.js";
import type { AuthStore, IssuedAccessToken, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./auth-store.js";

/**
 * The store in memory: for tests and `server_auth.store: "memory"`. Nothing survives the process.
 * Each method runs to completion without awaiting, so it is as atomic as the SQLite store's transactions.
 */
export class InMemoryAuthStore implements AuthStore {
  readonly #keys: StoredSigningKey[] = [];
  readonly #bindings = new Map<string, AddressBinding>();
  readonly #families = new Map<string, RefreshFamily>();
  /** Access tokens per family id. */
  readonly #access = new Map<string, IssuedAccessToken[]>();

  async signingKeys(): Promise<StoredSigningKey[]> {
    return [...this.#keys];
  }

  async addSigningKey(key: StoredSigningKey): Promise<void> {
    if (this.#keys.some((k) => k.kid === key.kid)) throw new Error(`signing key ${key.kid} exists already`);
    this.#keys.forEach((k, i) => {
      if (k.retiredAt === undefined) this.#keys[i] = { ...k, retiredAt: key.createdAt };
    });
    this.#keys.push(key);
  }

  async deleteSigningKey(kid: string): Promise<void> {
    const i = this.#keys.findIndex((k) => k.kid === kid);
    if (i >= 0) this.#keys.splice(i, 1);
  }

  async bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    const existing = this.#bindings.get(address);
    if (existing) return existing;
    this.#bindings.set(address, binding);
    return binding;
  }

  async createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    // As in SQLite: replacing a family could un-revoke it.
    if (this.#families.has(family.id)) throw new Error(`refresh family ${family.id} exists already`);
    this.#families.set(family.id, family);
    this.#access.set(family.id, [access]);
  }

  async redeemRefresh(familyId: string, jti: string, next: { jti: string; expiresAt: number }, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    const family = this.#families.get(familyId);
    if (!family) return { outcome: "unknown" };
    if (family.revokedAt !== undefined) return { outcome: "revoked" };
    if (family.currentJti !== jti) {
      this.#families.set(familyId, { ...family, revokedAt: now });
      return { outcome: "reused" };
    }
    const rotated = { ...family, currentJti: next.jti, expiresAt: next.expiresAt };
    this.#families.set(familyId, rotated);
    this.#access.get(familyId)?.push(access);
    return { outcome: "rotated", family: rotated };
  }

  async revokeFamily(familyId: string, now: number): Promise<boolean> {
    const family = this.#families.get(familyId);
    if (!family) return false;
    if (family.revokedAt === undefined) this.#families.set(familyId, { ...family, revokedAt: now });
    return true;
  }

  async family(familyId: string): Promise<RefreshFamily | undefined> {
    return this.#families.get(familyId);
  }

  async revokedAccessTokens(now: number): Promise<IssuedAccessToken[]> {
    const revoked: IssuedAccessToken[] = [];
    for (const [id, family] of this.#families) {
      if (family.revokedAt === undefined) continue;
      for (const token of this.#access.get(id) ?? []) if (token.exp > now) revoked.push(token);
    }
    return revoked;
  }

  async prune(now: number): Promise<void> {
    for (const [id, tokens] of this.#access) this.#access.set(id, tokens.filter((t) => t.exp > now));
    for (const [id, family] of this.#families) {
      if (family.expiresAt <= now && (this.#access.get(id)?.length ?? 0) === 0) {
        this.#families.delete(id);
        this.#access.delete(id);
      }
    }
  }

  async close(): Promise<void> {}
}

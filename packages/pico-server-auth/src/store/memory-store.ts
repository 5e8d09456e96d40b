import type { AddressBinding, AdminCredential, AuthStore, IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./auth-store.js";

/**
 * The store in memory: for tests and `server_auth.store: "memory"`. Nothing survives the process.
 * Each method runs to completion without awaiting, so it is as atomic as the SQLite store's transactions.
 */
export class InMemoryAuthStore implements AuthStore {
  readonly #keys: StoredSigningKey[] = [];
  #firstKid: string | undefined;
  readonly #bindings = new Map<string, AddressBinding>();
  readonly #families = new Map<string, RefreshFamily>();
  /** Every refresh-token hash a family ever had → the family's id. */
  readonly #refreshHashes = new Map<string, string>();
  /** Access tokens per family id. */
  readonly #access = new Map<string, IssuedAccessToken[]>();
  #admin: AdminCredential | undefined;

  async signingKeys(): Promise<StoredSigningKey[]> {
    return [...this.#keys];
  }

  async addSigningKey(key: StoredSigningKey): Promise<void> {
    if (this.#keys.some((k) => k.kid === key.kid)) throw new Error(`signing key ${key.kid} exists already`);
    this.#keys.forEach((k, i) => {
      if (k.retiredAt === undefined) this.#keys[i] = { ...k, retiredAt: key.createdAt };
    });
    this.#keys.push(key);
    this.#firstKid ??= key.kid;
  }

  async deleteSigningKey(kid: string): Promise<void> {
    const i = this.#keys.findIndex((k) => k.kid === kid);
    if (i >= 0) this.#keys.splice(i, 1);
  }

  async firstSigningKey(): Promise<string | undefined> {
    return this.#firstKid;
  }

  async binding(address: string): Promise<AddressBinding | undefined> {
    return this.#bindings.get(address);
  }

  async bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    const existing = this.#bindings.get(address);
    if (existing) return existing;
    this.#bindings.set(address, binding);
    return binding;
  }

  async unbindAddress(address: string): Promise<boolean> {
    return this.#bindings.delete(address);
  }

  async moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean> {
    const held = this.#bindings.get(address);
    if (!held || held.algorithm !== from.algorithm || held.publicKey !== from.publicKey) return false;
    this.#bindings.set(address, to);
    return true;
  }

  async createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    // As in SQLite: replacing a family could un-revoke it.
    if (this.#families.has(family.id)) throw new Error(`refresh family ${family.id} exists already`);
    if (this.#refreshHashes.has(family.currentHash)) throw new Error("refresh token hash exists already");
    this.#families.set(family.id, family);
    this.#refreshHashes.set(family.currentHash, family.id);
    this.#access.set(family.id, [access]);
  }

  async redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    const familyId = this.#refreshHashes.get(tokenHash);
    const family = familyId === undefined ? undefined : this.#families.get(familyId);
    if (!family) return { outcome: "unknown" };
    if (family.revokedAt !== undefined) return { outcome: "revoked" };
    if (family.currentHash !== tokenHash) {
      this.#families.set(family.id, { ...family, revokedAt: now });
      return { outcome: "reused" };
    }
    if (family.expiresAt <= now) return { outcome: "expired" };
    if (this.#refreshHashes.has(next.hash)) throw new Error("refresh token hash exists already");
    const rotated = { ...family, currentHash: next.hash, expiresAt: next.expiresAt };
    this.#families.set(family.id, rotated);
    this.#refreshHashes.set(next.hash, family.id);
    this.#access.get(family.id)?.push(access);
    return { outcome: "rotated", family: rotated };
  }

  async familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined> {
    const familyId = this.#refreshHashes.get(tokenHash);
    return familyId === undefined ? undefined : this.#families.get(familyId);
  }

  async revokeFamily(familyId: string, now: number): Promise<boolean> {
    const family = this.#families.get(familyId);
    if (!family) return false;
    if (family.revokedAt === undefined) this.#families.set(familyId, { ...family, revokedAt: now });
    return true;
  }

  async revokeSubject(sub: string, now: number, keepStamp?: string): Promise<number> {
    let revoked = 0;
    for (const family of this.#families.values()) {
      if (family.sub !== sub || family.revokedAt !== undefined) continue;
      if (keepStamp !== undefined && family.stamp === keepStamp) continue;
      this.#families.set(family.id, { ...family, revokedAt: now });
      revoked++;
    }
    return revoked;
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
    const gone = new Set<string>();
    for (const [id, family] of this.#families) {
      if (family.expiresAt <= now && (this.#access.get(id)?.length ?? 0) === 0) {
        this.#families.delete(id);
        this.#access.delete(id);
        gone.add(id);
      }
    }
    for (const [hash, id] of this.#refreshHashes) if (gone.has(id)) this.#refreshHashes.delete(hash);
  }

  async adminCredential(): Promise<AdminCredential | undefined> {
    return this.#admin;
  }

  async saveAdminCredential(hash: string): Promise<number> {
    if (this.#admin?.hash !== hash) this.#admin = { hash, generation: (this.#admin?.generation ?? 0) + 1 };
    return this.#admin.generation;
  }

  async close(): Promise<void> {}
}

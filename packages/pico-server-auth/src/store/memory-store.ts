import type { AddressBinding, BindingStore } from "../bindings/binding-store.js";
import type { SigningKeyStore, StoredSigningKey } from "../keys/signing-key-store.js";
import type { AdminCredential, AdminCredentialStore } from "../login/admin-credential-store.js";
import type { RevocationChanges, RevocationStore } from "../sessions/revocation-store.js";
import type { IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, SessionStore } from "../sessions/session-store.js";
import type { DurableState } from "../state/durable-state.js";
import { embeddedState } from "./embedded-state.js";
import { parseCursor } from "./feed-cursor.js";

/** One entry of the revocation feed: `seq` grows by one per entry and is never reused. */
interface FeedEntry extends IssuedAccessToken {
  readonly seq: number;
}

/**
 * The durable ports in memory: for tests and `server_auth.store: "memory"`. Nothing survives the
 * process, and nothing is shared with another one. Each method runs to completion without awaiting,
 * so it is as atomic as the SQLite store's transactions.
 */
export class InMemoryAuthStore implements SigningKeyStore, BindingStore, SessionStore, RevocationStore, AdminCredentialStore {
  readonly #keys: StoredSigningKey[] = [];
  #firstKid: string | undefined;
  readonly #bindings = new Map<string, AddressBinding>();
  readonly #families = new Map<string, RefreshFamily>();
  /** Every refresh-token hash a family ever had → the family's id. */
  readonly #refreshHashes = new Map<string, string>();
  /** Access tokens per family id. */
  readonly #access = new Map<string, IssuedAccessToken[]>();
  #feed: FeedEntry[] = [];
  #lastSeq = 0;
  #admin: AdminCredential | undefined;

  async signingKeys(): Promise<StoredSigningKey[]> {
    return [...this.#keys];
  }

  async addSigningKey(key: StoredSigningKey, expectedActive: string | undefined): Promise<boolean> {
    if (this.#keys.findLast((k) => k.retiredAt === undefined)?.kid !== expectedActive) return false;
    if (this.#keys.some((k) => k.kid === key.kid)) throw new Error(`signing key ${key.kid} exists already`);
    this.#keys.forEach((k, i) => {
      if (k.retiredAt === undefined) this.#keys[i] = { ...k, retiredAt: key.createdAt };
    });
    this.#keys.push(key);
    this.#firstKid ??= key.kid;
    return true;
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
      this.#revoke(family, now);
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

  async recordAccess(familyId: string, access: IssuedAccessToken): Promise<boolean> {
    const family = this.#families.get(familyId);
    if (!family || family.revokedAt !== undefined) return false;
    this.#access.get(familyId)?.push(access);
    return true;
  }

  async familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined> {
    const familyId = this.#refreshHashes.get(tokenHash);
    return familyId === undefined ? undefined : this.#families.get(familyId);
  }

  async revokeFamily(familyId: string, now: number): Promise<boolean> {
    const family = this.#families.get(familyId);
    if (!family) return false;
    if (family.revokedAt === undefined) this.#revoke(family, now);
    return true;
  }

  async revokeSubject(sub: string, now: number, keepStamp?: string): Promise<number> {
    let revoked = 0;
    for (const family of this.#families.values()) {
      if (family.sub !== sub || family.revokedAt !== undefined) continue;
      if (keepStamp !== undefined && family.stamp === keepStamp) continue;
      this.#revoke(family, now);
      revoked++;
    }
    return revoked;
  }

  async family(familyId: string): Promise<RefreshFamily | undefined> {
    return this.#families.get(familyId);
  }

  async revokedSince(cursor: string | undefined, now: number): Promise<RevocationChanges> {
    const after = parseCursor(cursor, this.#lastSeq) ?? 0;
    const revoked = this.#feed.filter((e) => e.seq > after && e.exp > now).map(({ jti, exp }) => ({ jti, exp }));
    return { revoked, cursor: String(this.#lastSeq) };
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
    this.#feed = this.#feed.filter((e) => e.exp > now);
  }

  async adminCredential(): Promise<AdminCredential | undefined> {
    return this.#admin;
  }

  async saveAdminCredential(hash: string): Promise<number> {
    if (this.#admin?.hash !== hash) this.#admin = { hash, generation: (this.#admin?.generation ?? 0) + 1 };
    return this.#admin.generation;
  }

  async close(): Promise<void> {}

  /** Marks `family` revoked at `now` and appends its unexpired access tokens to the feed, in one step. */
  #revoke(family: RefreshFamily, now: number): void {
    this.#families.set(family.id, { ...family, revokedAt: now });
    for (const { jti, exp } of this.#access.get(family.id) ?? []) if (exp > now) this.#feed.push({ seq: ++this.#lastSeq, jti, exp });
  }
}

/** `server_auth.store: memory` (and tests): the DurableState of `store`, a new empty one by default. */
export function memoryState(store: InMemoryAuthStore = new InMemoryAuthStore()): DurableState {
  return embeddedState("memory", store);
}

import { join, resolve } from "node:path";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { kidOf } from "../keys/key-material.js";
import { ServerAuthSettings } from "../settings.js";
import { AUTH_STORE } from "./auth-store.js";
import type { AddressBinding, AdminCredential, AuthStore, IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./auth-store.js";
import { InMemoryAuthStore } from "./memory-store.js";

export const DATABASE_FILE = "auth.db";

/**
 * The store `server_auth.store` names: SQLite in `data_dir` (the default), or memory. SQLite's native
 * addon is imported only when it is used.
 */
@component({ provides: AUTH_STORE, fallback: true })
export class ConfiguredAuthStore implements AuthStore, OnInit, OnDestroy {
  readonly #settings: ServerAuthSettings;
  readonly #logger: Logger;
  #store: AuthStore | undefined;

  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  async onInit(): Promise<void> {
    if (this.#settings.store === "memory") {
      this.#logger.warn("pico-server-auth: server_auth.store is memory: signing keys, wallet bindings and sessions are lost on restart");
      this.#store = new InMemoryAuthStore();
      return;
    }
    const dir = resolve(this.#settings.dataDir);
    const { SqliteAuthStore } = await import("./sqlite-store.js");
    const store = SqliteAuthStore.open(join(dir, DATABASE_FILE), { synchronous: this.#settings.sqliteSynchronous as "full" | "normal" });
    this.#store = store;
    const imported = await store.importLegacyFiles(dir, kidOf);
    if (imported) this.#logger.info(`pico-server-auth: imported ${imported} from the files of an earlier version in ${dir}`);
  }

  async onDestroy(): Promise<void> {
    await this.#store?.close();
  }

  #use(): AuthStore {
    if (!this.#store) throw new Error("the auth store was used before onInit");
    return this.#store;
  }

  signingKeys(): Promise<StoredSigningKey[]> {
    return this.#use().signingKeys();
  }
  addSigningKey(key: StoredSigningKey): Promise<void> {
    return this.#use().addSigningKey(key);
  }
  deleteSigningKey(kid: string): Promise<void> {
    return this.#use().deleteSigningKey(kid);
  }
  firstSigningKey(): Promise<string | undefined> {
    return this.#use().firstSigningKey();
  }
  binding(address: string): Promise<AddressBinding | undefined> {
    return this.#use().binding(address);
  }
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    return this.#use().bindAddress(address, binding);
  }
  unbindAddress(address: string): Promise<boolean> {
    return this.#use().unbindAddress(address);
  }
  moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean> {
    return this.#use().moveAddress(address, from, to);
  }
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    return this.#use().createFamily(family, access);
  }
  redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    return this.#use().redeemRefresh(tokenHash, next, access, now);
  }
  familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined> {
    return this.#use().familyOfRefresh(tokenHash);
  }
  revokeFamily(familyId: string, now: number): Promise<boolean> {
    return this.#use().revokeFamily(familyId, now);
  }
  revokeSubject(sub: string, now: number): Promise<number> {
    return this.#use().revokeSubject(sub, now);
  }
  family(familyId: string): Promise<RefreshFamily | undefined> {
    return this.#use().family(familyId);
  }
  revokedAccessTokens(now: number): Promise<IssuedAccessToken[]> {
    return this.#use().revokedAccessTokens(now);
  }
  prune(now: number): Promise<void> {
    return this.#use().prune(now);
  }
  adminCredential(): Promise<AdminCredential | undefined> {
    return this.#use().adminCredential();
  }
  saveAdminCredential(hash: string): Promise<number> {
    return this.#use().saveAdminCredential(hash);
  }
  async close(): Promise<void> {
    await this.#store?.close();
  }
}

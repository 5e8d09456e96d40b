import { join, resolve } from "node:path";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import type { AddressBinding } from "../bindings/address-bindings.js";
import { kidOf } from "../keys/key-material.js";
import { ServerAuthSettings } from "../settings.js";
import { AUTH_STORE } from "./auth-store.js";
import type { AuthStore, IssuedAccessToken, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./auth-store.js";
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
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    return this.#use().bindAddress(address, binding);
  }
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    return this.#use().createFamily(family, access);
  }
  redeemRefresh(familyId: string, jti: string, next: { jti: string; expiresAt: number }, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    return this.#use().redeemRefresh(familyId, jti, next, access, now);
  }
  revokeFamily(familyId: string, now: number): Promise<boolean> {
    return this.#use().revokeFamily(familyId, now);
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
  async close(): Promise<void> {
    await this.#store?.close();
  }
}

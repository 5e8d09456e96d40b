import { resolve } from "node:path";
import { LOGGER, METRICS, component, inject } from "pico-ioc";
import type { Histogram, Logger, Metrics, OnDestroy, OnInit } from "pico-ioc";
import { StoreUnavailableError } from "../errors.js";
import { kidOf } from "../keys/key-material.js";
import { ServerAuthSettings } from "../settings.js";
import { AUTH_STORE } from "./auth-store.js";
import type { AddressBinding, AdminCredential, AuthStore, IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./auth-store.js";
import { InMemoryAuthStore } from "./memory-store.js";
import { StoreOutageLog } from "./outage-log.js";

/** Seconds: SQLite answers in well under a millisecond when it is healthy, a group commit waits for fsync. */
const STORE_DURATION_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The store `server_auth.store` names: SQLite in `data_dir` (the default), or memory. SQLite's native
 * addon is imported only when it is used. The SQLite store is opened only if it passes its boot check
 * (see openCheckedStore), and gets its marker (store.json) once it has a signing key. Store failures
 * reach callers as StoreUnavailableError (a 503) and are logged here: once when an outage starts and
 * once when it ends (StoreOutageLog), whoever called.
 */
@component({ provides: AUTH_STORE, fallback: true })
export class ConfiguredAuthStore implements AuthStore, OnInit, OnDestroy {
  readonly #settings: ServerAuthSettings;
  readonly #logger: Logger;
  #store: AuthStore | undefined;
  /** The data dir while its marker is still to be written (until the store has a first signing key), and what the marker is to record of a reinitialization. */
  #unmarked: { readonly dir: string; readonly reinitializedAt: string | undefined } | undefined;
  readonly #outages: StoreOutageLog;
  readonly #duration: Histogram;

  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger, @inject(METRICS) metrics: Metrics) {
    this.#settings = settings;
    this.#logger = logger;
    this.#outages = new StoreOutageLog(logger);
    this.#duration = metrics.histogram("pico_auth_store_duration_seconds", "Auth store call duration by operation (failed calls included)", ["operation"], STORE_DURATION_BUCKETS);
  }

  async onInit(): Promise<void> {
    if (this.#settings.store === "memory") {
      this.#logger.warn("pico-server-auth: server_auth.store is memory: signing keys, wallet bindings and sessions are lost on restart");
      this.#store = new InMemoryAuthStore();
      return;
    }
    const dir = resolve(this.#settings.dataDir);
    const { openCheckedStore } = await import("./checked-open.js");
    const { store, marker } = await openCheckedStore(
      dir,
      { synchronous: this.#settings.sqliteSynchronous as "full" | "normal", reinitialize: this.#settings.reinitializeStore },
      this.#logger,
    );
    this.#store = store;
    const imported = await store.importLegacyFiles(dir, kidOf);
    if (imported) this.#logger.info(`pico-server-auth: imported ${imported} from the files of an earlier version in ${dir}`);
    if (!marker) {
      this.#unmarked = { dir, reinitializedAt: await store.reinitializedAt() };
      // A store of an earlier version (or an imported one) has its key already: it gets its marker now.
      await this.#markIfKeyed();
    }
  }

  async onDestroy(): Promise<void> {
    await this.#store?.close();
  }

  /** The store in use once booted: a SqliteAuthStore, or an InMemoryAuthStore. For diagnostics and tests. */
  get backend(): AuthStore | undefined {
    return this.#store;
  }

  /** Runs the store's `method` through `call`; store failures are logged per outage (StoreOutageLog), not per call. */
  async #call<T>(method: string, call: (store: AuthStore) => Promise<T>): Promise<T> {
    if (!this.#store) throw new Error("the auth store was used before onInit");
    let result: T;
    const start = performance.now();
    try {
      result = await call(this.#store);
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.#outages.failed(method, error);
      throw error;
    } finally {
      this.#duration.observe({ operation: method }, (performance.now() - start) / 1000);
    }
    this.#outages.succeeded(method);
    return result;
  }

  /** Writes the marker once the store holds a first signing key (the marker names it; the first process to write it wins). */
  async #markIfKeyed(): Promise<void> {
    const unmarked = this.#unmarked;
    if (unmarked === undefined) return;
    const first = await this.#call("firstSigningKey", (s) => s.firstSigningKey());
    if (first === undefined) return;
    const { writeMarker, MARKER_FILE } = await import("./marker.js");
    const { dir } = unmarked;
    writeMarker(dir, first, new Date(), unmarked.reinitializedAt);
    this.#unmarked = undefined;
    this.#logger.info(`pico-server-auth: wrote ${MARKER_FILE} in ${dir}, naming signing key ${first}: from now on a missing, emptied or replaced auth.db refuses boot`);
  }

  signingKeys(): Promise<StoredSigningKey[]> {
    return this.#call("signingKeys", (s) => s.signingKeys());
  }
  async addSigningKey(key: StoredSigningKey): Promise<void> {
    await this.#call("addSigningKey", (s) => s.addSigningKey(key));
    await this.#markIfKeyed();
  }
  deleteSigningKey(kid: string): Promise<void> {
    return this.#call("deleteSigningKey", (s) => s.deleteSigningKey(kid));
  }
  firstSigningKey(): Promise<string | undefined> {
    return this.#call("firstSigningKey", (s) => s.firstSigningKey());
  }
  binding(address: string): Promise<AddressBinding | undefined> {
    return this.#call("binding", (s) => s.binding(address));
  }
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding> {
    return this.#call("bindAddress", (s) => s.bindAddress(address, binding));
  }
  unbindAddress(address: string): Promise<boolean> {
    return this.#call("unbindAddress", (s) => s.unbindAddress(address));
  }
  moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean> {
    return this.#call("moveAddress", (s) => s.moveAddress(address, from, to));
  }
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    return this.#call("createFamily", (s) => s.createFamily(family, access));
  }
  redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    return this.#call("redeemRefresh", (s) => s.redeemRefresh(tokenHash, next, access, now));
  }
  familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined> {
    return this.#call("familyOfRefresh", (s) => s.familyOfRefresh(tokenHash));
  }
  revokeFamily(familyId: string, now: number): Promise<boolean> {
    return this.#call("revokeFamily", (s) => s.revokeFamily(familyId, now));
  }
  revokeSubject(sub: string, now: number, keepStamp?: string): Promise<number> {
    return this.#call("revokeSubject", (s) => s.revokeSubject(sub, now, keepStamp));
  }
  family(familyId: string): Promise<RefreshFamily | undefined> {
    return this.#call("family", (s) => s.family(familyId));
  }
  revokedAccessTokens(now: number): Promise<IssuedAccessToken[]> {
    return this.#call("revokedAccessTokens", (s) => s.revokedAccessTokens(now));
  }
  prune(now: number): Promise<void> {
    return this.#call("prune", (s) => s.prune(now));
  }
  adminCredential(): Promise<AdminCredential | undefined> {
    return this.#call("adminCredential", (s) => s.adminCredential());
  }
  saveAdminCredential(hash: string): Promise<number> {
    return this.#call("saveAdminCredential", (s) => s.saveAdminCredential(hash));
  }
  async close(): Promise<void> {
    await this.#store?.close();
  }
}

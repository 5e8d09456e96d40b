// In-test fakes of the ports shared by instances (issue 16): one fake store shared by several
// SigningKeys / RevocationList objects stands for several instances on one database, and a fake
// signal bus delivers what one of them publishes to the others.
import { AesKeyEncryption } from "../src/keys/aes-key-encryption.js";
import { setImmediate as nextTurn } from "node:timers/promises";
import { noMetrics } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { AuthEvents } from "../src/events/auth-events.js";
import { SigningKeys } from "../src/keys/signing-keys.js";
import type { SigningKeyStore, StoredSigningKey } from "../src/keys/signing-key-store.js";
import { RevocationList } from "../src/sessions/revocation-list.js";
import type { RevocationChanges, RevocationStore } from "../src/sessions/revocation-store.js";
import type { IssuedAccessToken } from "../src/sessions/session-store.js";
import { ServerAuthSettings } from "../src/settings.js";
import type { ChangeSignal, ChangeTopic } from "../src/sync/change-signal.js";

/** A store that answers on a later turn of the event loop, as a database does: concurrent callers interleave. */
abstract class FakeStore {
  /** While set, every call fails with it (a store that cannot answer). */
  failing: Error | undefined;
  /** Start times (ms) of the reads. */
  readonly reads: number[] = [];

  protected async answer(read: boolean): Promise<void> {
    if (read) this.reads.push(Date.now());
    await nextTurn();
    if (this.failing) throw this.failing;
  }
}

/** The compare-and-set of SigningKeyStore, done as the contract says, in memory. */
export class FakeSigningKeyStore extends FakeStore implements SigningKeyStore {
  keys: StoredSigningKey[] = [];
  /** The outcome of every addSigningKey. */
  readonly adds: boolean[] = [];
  #first: string | undefined;

  async signingKeys(): Promise<StoredSigningKey[]> {
    await this.answer(true);
    return this.keys.map((k) => ({ ...k }));
  }

  async addSigningKey(key: StoredSigningKey, expectedActive: string | undefined): Promise<boolean> {
    await this.answer(false);
    const active = this.keys.findLast((k) => k.retiredAt === undefined)?.kid;
    const added = active === expectedActive;
    this.adds.push(added);
    if (!added) return false;
    if (this.keys.some((k) => k.kid === key.kid)) throw new Error(`kid ${key.kid} exists`);
    this.keys = [...this.keys.map((k) => (k.retiredAt === undefined ? { ...k, retiredAt: key.createdAt } : k)), { ...key }];
    this.#first ??= key.kid;
    return true;
  }

  async deleteSigningKey(kid: string): Promise<void> {
    await this.answer(false);
    this.keys = this.keys.filter((k) => k.kid !== kid);
  }

  async firstSigningKey(): Promise<string | undefined> {
    await this.answer(true);
    return this.#first;
  }
}

/** An append-only feed; the cursor is how many entries were read. */
export class FakeRevocationStore extends FakeStore implements RevocationStore {
  readonly feed: IssuedAccessToken[] = [];
  /** The cursor of every read. */
  readonly cursors: (string | undefined)[] = [];

  /** What SESSION_STORE does when it revokes: appends to the feed (committed before any `revoked()`). */
  revoke(...tokens: IssuedAccessToken[]): void {
    this.feed.push(...tokens);
  }

  async revokedSince(cursor: string | undefined, now: number): Promise<RevocationChanges> {
    this.cursors.push(cursor);
    await this.answer(true);
    const from = cursor === undefined ? 0 : Number(cursor);
    return { revoked: this.feed.slice(from).filter((t) => t.exp > now), cursor: String(this.feed.length) };
  }
}

/** Pub/sub between fake instances: what one publishes reaches the others' listeners (not its own), while `delivering`. */
export class FakeSignalBus {
  delivering = true;
  readonly published: ChangeTopic[] = [];
  readonly #listeners = new Set<{ readonly from: ChangeSignal; readonly topic: ChangeTopic; readonly listener: () => void }>();

  /** The signal of one instance. */
  instance(): ChangeSignal {
    const self: ChangeSignal = {
      publish: async (topic) => {
        this.published.push(topic);
        if (!this.delivering) return;
        for (const entry of this.#listeners) if (entry.from !== self && entry.topic === topic) entry.listener();
      },
      subscribe: (topic, listener) => {
        const entry = { from: self, topic, listener };
        this.#listeners.add(entry);
        return () => void this.#listeners.delete(entry);
      },
    };
    return self;
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

export interface Line {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

export function recorder(): Logger & { readonly lines: Line[]; events(name: string): Line[] } {
  const lines: Line[] = [];
  const at = (level: Line["level"]) => (message: string, fields?: unknown) => void lines.push({ level, message, fields: fields as Record<string, unknown> | undefined });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), events: (name) => lines.filter((l) => l.fields?.event === name) };
}

export function settingsOf(overrides: Partial<ServerAuthSettings> = {}): ServerAuthSettings {
  // EdDSA: key generation is fast, so instances race on the store, not on the CPU. No poll unless asked.
  return Object.assign(new ServerAuthSettings(), { algorithm: "EdDSA", syncIntervalMs: 60_000 }, overrides);
}

/** One instance's SigningKeys over the shared store, with its own log. */
export function signingKeys(store: SigningKeyStore, signal: ChangeSignal, overrides: Partial<ServerAuthSettings> = {}) {
  const logger = recorder();
  const settings = settingsOf(overrides);
  const keys = new SigningKeys(settings, store, signal, new AuthEvents(logger, noMetrics), logger, new AesKeyEncryption(settings));
  return Object.assign(keys, { logger });
}

/** One instance's RevocationList over the shared feed, with its own log. */
export function revocationList(store: RevocationStore, signal: ChangeSignal, overrides: Partial<ServerAuthSettings> = {}) {
  const logger = recorder();
  return Object.assign(new RevocationList(settingsOf(overrides), store, signal, logger), { logger });
}

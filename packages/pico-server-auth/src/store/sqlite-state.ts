import { resolve } from "node:path";
import type { Logger } from "pico-ioc";
import { kidOf } from "../keys/key-material.js";
import type { SigningKeyStore } from "../keys/signing-key-store.js";
import type { ServerAuthSettings } from "../settings.js";
import type { DurableState } from "../state/durable-state.js";
import { openCheckedStore } from "./checked-open.js";
import { embeddedState } from "./embedded-state.js";
import { MARKER_FILE, writeMarker } from "./marker.js";
import type { SqliteAuthStore } from "./sqlite-store.js";

/**
 * `server_auth.store: sqlite` (the default): `data_dir/auth.db`, opened only if it passes its boot
 * check (openCheckedStore), with the files of an earlier version imported, and its marker (store.json)
 * written once it holds a first signing key (at once for a store that has one already).
 */
export async function openSqliteState(settings: ServerAuthSettings, logger: Logger): Promise<DurableState> {
  const dir = resolve(settings.dataDir);
  const { store, marker } = await openCheckedStore(dir, { synchronous: settings.sqliteSynchronous as "full" | "normal", reinitialize: settings.reinitializeStore }, logger);
  try {
    const imported = await store.importLegacyFiles(dir, kidOf);
    if (imported) logger.info(`pico-server-auth: imported ${imported} from the files of an earlier version in ${dir}`);
    if (marker) return embeddedState("sqlite", store);
    const marking = new Marking(store, dir, await store.reinitializedAt(), logger);
    // A store of an earlier version (or an imported one) has its key already: it gets its marker now.
    await marking.markIfKeyed();
    return embeddedState("sqlite", store, marking.signingKeys());
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Writes the marker once the store holds a first signing key (the marker names it; the first process to write it wins). */
class Marking {
  #pending = true;

  constructor(
    private readonly store: SqliteAuthStore,
    private readonly dir: string,
    private readonly reinitializedAt: string | undefined,
    private readonly logger: Logger,
  ) {}

  async markIfKeyed(): Promise<void> {
    if (!this.#pending) return;
    const first = await this.store.firstSigningKey();
    if (first === undefined) return;
    writeMarker(this.dir, first, new Date(), this.reinitializedAt);
    this.#pending = false;
    this.logger.info(`pico-server-auth: wrote ${MARKER_FILE} in ${this.dir}, naming signing key ${first}: from now on a missing, emptied or replaced auth.db refuses boot`);
  }

  /** The store as SIGNING_KEY_STORE, marking after every addSigningKey (won or lost: either way a key exists now) until marked. */
  signingKeys(): SigningKeyStore {
    const { store } = this;
    return {
      signingKeys: () => store.signingKeys(),
      addSigningKey: async (key, expectedActive) => {
        const added = await store.addSigningKey(key, expectedActive);
        await this.markIfKeyed();
        return added;
      },
      deleteSigningKey: (kid) => store.deleteSigningKey(kid),
      firstSigningKey: () => store.firstSigningKey(),
    };
  }
}

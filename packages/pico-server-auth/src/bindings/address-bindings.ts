import { component, createToken } from "pico-ioc";
import type { OnInit } from "pico-ioc";
import { appendJsonLine, readJsonLines } from "../files.js";
import { ServerAuthSettings } from "../settings.js";

/** The key an address signed in with first. */
export interface AddressBinding {
  readonly algorithm: string;
  readonly publicKey: string;
}

/**
 * Which public key owns which wallet address. Policy: the first key that signs in for an address
 * owns it; any other key is refused for that address (upstream lets anyone sign in as any address).
 */
export interface AddressBindings {
  /** Binds `address` to the key if it is unbound; true if it is (now) bound to exactly this key. */
  bind(address: string, binding: AddressBinding): Promise<boolean>;
}

export const ADDRESS_BINDINGS = createToken<AddressBindings>("AddressBindings");

const FILE = "wallet-bindings.jsonl";

/**
 * In memory, and persisted to `data_dir` when there is one (one appended JSON line per new binding,
 * so a sign-in costs one small write however many wallets exist), so a restart forgets no binding.
 */
@component({ provides: ADDRESS_BINDINGS, fallback: true })
export class DefaultAddressBindings implements AddressBindings, OnInit {
  readonly #dataDir: string | undefined;
  readonly #bindings = new Map<string, AddressBinding>();

  constructor(settings: ServerAuthSettings) {
    this.#dataDir = settings.dataDir;
  }

  async onInit(): Promise<void> {
    if (!this.#dataDir) return;
    for (const { address, ...binding } of await readJsonLines<AddressBinding & { address: string }>(this.#dataDir, FILE)) {
      // The first line for an address wins, as the first binding did.
      if (!this.#bindings.has(address)) this.#bindings.set(address, binding);
    }
  }

  async bind(address: string, binding: AddressBinding): Promise<boolean> {
    const existing = this.#bindings.get(address);
    if (existing) return existing.algorithm === binding.algorithm && existing.publicKey === binding.publicKey;
    this.#bindings.set(address, binding);
    if (this.#dataDir) await appendJsonLine(this.#dataDir, FILE, { address, ...binding });
    return true;
  }
}

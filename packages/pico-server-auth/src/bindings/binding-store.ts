import { createToken } from "pico-ioc";

/** The key an address is bound to: who may sign in as that address. */
export interface AddressBinding {
  readonly algorithm: string;
  /** Hex; for secp256k1 the uncompressed point since bindings are canonical (older rows may be compressed). */
  readonly publicKey: string;
}

/**
 * Port: which key owns which wallet address, as stored. Each method is one atomic step.
 * Replace with `@component({ provides: BINDING_STORE })`; every implementation passes
 * `bindingStoreContract` of `pico-server-auth/testing`. The rules (derivation, case, moves) live
 * above it, in ADDRESS_BINDINGS.
 */
export interface BindingStore {
  /** The binding of exactly `address` (no case folding), if any. */
  binding(address: string): Promise<AddressBinding | undefined>;
  /** Binds `address` unless it is bound already; returns the binding that holds afterwards (first key wins). */
  bindAddress(address: string, binding: AddressBinding): Promise<AddressBinding>;
  /** Removes the binding of `address`; false when it had none. */
  unbindAddress(address: string): Promise<boolean>;
  /** Rebinds `address` from `from` to `to` if it is bound to `from` now (compare-and-set); false otherwise. */
  moveAddress(address: string, from: AddressBinding, to: AddressBinding): Promise<boolean>;
}

export const BINDING_STORE = createToken<BindingStore>("BindingStore");

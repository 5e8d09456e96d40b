import { component, createToken, inject } from "pico-ioc";
import { AUTH_STORE } from "../store/auth-store.js";
import type { AddressBinding, AuthStore } from "../store/auth-store.js";

export type { AddressBinding } from "../store/auth-store.js";

/**
 * Which public key owns which wallet address. Policy: the first key that signs in for an address
 * owns it; any other key is refused for that address (upstream lets anyone sign in as any address).
 */
export interface AddressBindings {
  /** Binds `address` to the key if it is unbound; true if it is (now) bound to exactly this key. */
  bind(address: string, binding: AddressBinding): Promise<boolean>;
}

export const ADDRESS_BINDINGS = createToken<AddressBindings>("AddressBindings");

/** Bindings kept in the auth store: one atomic insert-or-read per sign-in, so racing first sign-ins agree. */
@component({ provides: ADDRESS_BINDINGS, fallback: true })
export class DefaultAddressBindings implements AddressBindings {
  constructor(@inject(AUTH_STORE) private readonly store: AuthStore) {}

  async bind(address: string, binding: AddressBinding): Promise<boolean> {
    const holder = await this.store.bindAddress(address, binding);
    return holder.algorithm === binding.algorithm && holder.publicKey === binding.publicKey;
  }
}

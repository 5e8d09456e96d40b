import { createToken } from "pico-ioc";

/** The admin account as the store remembers it: its password hash and how often that hash changed. */
export interface AdminCredential {
  readonly hash: string;
  readonly generation: number;
}

/**
 * Port: the bootstrap admin's credential. Replace with `@component({ provides: ADMIN_CREDENTIAL_STORE })`;
 * every implementation passes `adminCredentialStoreContract` of `pico-server-auth/testing`.
 */
export interface AdminCredentialStore {
  /** The admin account's credential as last saved, if ever. */
  adminCredential(): Promise<AdminCredential | undefined>;
  /** Saves the admin's password hash: the same hash as stored keeps its generation, another one is generation + 1 (the first is 1). Returns the generation. Atomic. */
  saveAdminCredential(hash: string): Promise<number>;
}

export const ADMIN_CREDENTIAL_STORE = createToken<AdminCredentialStore>("AdminCredentialStore");

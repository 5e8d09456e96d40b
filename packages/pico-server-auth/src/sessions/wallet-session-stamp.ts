import { createHash } from "node:crypto";
import { component, inject } from "pico-ioc";
import { ADDRESS_BINDINGS } from "../bindings/address-bindings.js";
import type { AddressBindings } from "../bindings/address-bindings.js";
import type { AddressBinding } from "../bindings/binding-store.js";
import { isWalletAlgorithm } from "../wallet/algorithms.js";
import { canonicalKeyHex } from "../wallet/canonical-key.js";
import { CREDENTIAL_STAMPS } from "./credential-stamps.js";
import type { CredentialStamp } from "./credential-stamps.js";

const UNCOMPRESSED = /^04[0-9a-f]{128}$/;

/**
 * The stamp of a wallet key: "key:" + SHA-256 of its algorithm and canonical public key, so a legacy
 * compressed secp256k1 binding and the uncompressed signer are one stamp. Undefined for a key that is
 * no valid key (a damaged row).
 */
export function walletKeyStamp(key: AddressBinding): string | undefined {
  // A secp256k1 key in the uncompressed form bindings are stored in needs no decoding (one per refresh).
  const stored = key.algorithm === "secp256k1" && UNCOMPRESSED.test(key.publicKey);
  const canonical = stored ? key.publicKey : isWalletAlgorithm(key.algorithm) ? canonicalKeyHex(key.algorithm, key.publicKey) : undefined;
  return canonical && `key:${createHash("sha256").update(`${key.algorithm}:${canonical}`).digest("hex")}`;
}

/**
 * Wallet sessions follow the binding of their address (`sub`): a session records the key that signed
 * in (WalletSignIn passes its stamp), and dies at its next refresh once the address is bound to
 * another key (a move) or to none (an unbind), even when the move's revokeSubject ran before the
 * session was created (a sign-in racing the move). One store read per refresh.
 */
@component({ provides: CREDENTIAL_STAMPS })
export class WalletSessionStamp implements CredentialStamp {
  readonly role = "wallet";
  readonly changedDetail = "the address was moved to another key or unbound: session revoked; sign in again";
  // Sessions started before wallet sessions were stamped cannot be racing a move made since: they
  // keep their lifetime (a move or unbind still revokes them by subject).
  readonly keepsUnstamped = true;

  // Through AddressBindings, not the store: an app's own bindings are the ones sessions follow.
  constructor(@inject(ADDRESS_BINDINGS) private readonly bindings: AddressBindings) {}

  async current(sub: string): Promise<string | undefined> {
    const binding = await this.bindings.holder(sub);
    return binding && walletKeyStamp(binding);
  }
}

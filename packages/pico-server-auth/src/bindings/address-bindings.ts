import { component, createToken, inject } from "pico-ioc";
import { ServerAuthSettings } from "../settings.js";
import { BINDING_STORE } from "./binding-store.js";
import type { AddressBinding, BindingStore } from "./binding-store.js";
import { isWalletAlgorithm } from "../wallet/algorithms.js";
import type { WalletAlgorithm } from "../wallet/algorithms.js";
import { deriveAddress, parseAddress } from "../wallet/address.js";
import type { ParsedAddress } from "../wallet/address.js";
import { canonicalKeyHex } from "../wallet/canonical-key.js";


/** A verified signer: its algorithm and canonical public key (hex; secp256k1 uncompressed). */
export interface SignerKey {
  readonly algorithm: WalletAlgorithm;
  readonly publicKey: string;
}

/** Who a sign-in is for (`sub`), or why it is refused (the 401 detail). */
export type Claim = { readonly ok: true; readonly sub: string } | { readonly ok: false; readonly detail: string };

export type MoveOutcome = "moved" | "unbound" | "not-holder" | "conflict";

/**
 * Which public key owns which wallet address.
 * - `claim` (secure mode): an address bound already (exactly as sent, else in lower case) signs in
 *   with the key it is bound to: bindings made before addresses were derived, case twins, moved
 *   addresses. An unbound address must derive from the key, and is then bound in lower case.
 * - `bind` (upstream mode): the first key that signs in for an address owns it, whatever the address.
 * Keys compare in canonical form: one secp256k1 key, compressed or not, is one key.
 */
export interface AddressBindings {
  claim(address: string, key: SignerKey): Promise<Claim>;
  /** The key `address` is bound to, exactly as given (a session's `sub` is the address as bound). */
  holder(address: string): Promise<AddressBinding | undefined>;
  /** Binds `address` to the key if it is unbound; true if it is (now) bound to exactly this key. */
  bind(address: string, binding: AddressBinding): Promise<boolean>;
  /**
   * Forgets the binding of `address`, found as `claim` finds it (exactly as sent, else, in secure mode,
   * in lower case: in upstream mode case twins are other identities);
   * returns the address as it was bound (the sessions to end are that subject's), undefined when unbound.
   */
  unbind(address: string): Promise<string | undefined>;
  /**
   * Moves `address` (as `claim` finds it) from the key `from`, which must hold it, to `to`, in one
   * compare-and-set; returns the outcome and the address as bound.
   */
  move(address: string, from: SignerKey, to: SignerKey): Promise<{ readonly outcome: MoveOutcome; readonly address: string }>;
}

export const ADDRESS_BINDINGS = createToken<AddressBindings>("AddressBindings");

/** Bindings kept in BINDING_STORE: one atomic insert-or-read per sign-in, so racing first sign-ins agree. */
@component({ provides: ADDRESS_BINDINGS, fallback: true })
export class DefaultAddressBindings implements AddressBindings {
  readonly #secure: boolean;

  constructor(@inject(BINDING_STORE) private readonly store: BindingStore, settings: ServerAuthSettings) {
    this.#secure = settings.walletMode === "secure";
  }

  holder(address: string): Promise<AddressBinding | undefined> {
    return this.store.binding(address);
  }

  async claim(address: string, key: SignerKey): Promise<Claim> {
    const derived = deriveAddress(key.algorithm, Buffer.from(key.publicKey, "hex"));
    // The usual case, the key's own address in lower case: one insert-or-read, which also reads a
    // binding made before (or a move away from this key).
    if (address === derived) return this.#bindDerived(derived, key);
    const exact = await this.store.binding(address);
    if (exact) return holds(exact, key) ? { ok: true, sub: address } : BOUND_ELSEWHERE;
    const parsed = parseAddress(address);
    if (parsed.kind === "bad-checksum") return { ok: false, detail: `address ${address} fails its EIP-55 checksum (send it in one case, or checksummed)` };
    const lower = parsed.kind === "hex" ? parsed.lower : undefined;
    if (lower === derived) return this.#bindDerived(derived, key);
    // Not this key's address: only a binding of its lower-case form (an address moved to this key) lets it in.
    const held = lower !== undefined && lower !== address ? await this.store.binding(lower) : undefined;
    if (held) return holds(held, key) ? { ok: true, sub: lower as string } : BOUND_ELSEWHERE;
    return { ok: false, detail: `address ${address} is not derived from this key (its ${key.algorithm} address is ${derived})` };
  }

  async bind(address: string, binding: AddressBinding): Promise<boolean> {
    return holds(await this.store.bindAddress(address, binding), binding);
  }

  async unbind(address: string): Promise<string | undefined> {
    const found = await this.#lookup(address, parseAddress(address));
    return found && (await this.store.unbindAddress(found.address)) ? found.address : undefined;
  }

  async move(address: string, from: SignerKey, to: SignerKey): Promise<{ outcome: MoveOutcome; address: string }> {
    const found = await this.#lookup(address, parseAddress(address));
    if (!found) return { outcome: "unbound", address };
    if (!holds(found.held, from)) return { outcome: "not-holder", address: found.address };
    // Compare-and-set against the binding as stored (a legacy one may be compressed): a concurrent
    // move or unbind in between makes this one fail instead of overwriting it.
    const moved = await this.store.moveAddress(found.address, found.held, to);
    return { outcome: moved ? "moved" : "conflict", address: found.address };
  }

  /** Binds the key's derived address to it, or reads who holds it already. */
  async #bindDerived(derived: string, key: SignerKey): Promise<Claim> {
    const holder = await this.store.bindAddress(derived, key);
    return holds(holder, key) ? { ok: true, sub: derived } : BOUND_ELSEWHERE;
  }

  /**
   * The binding of `address` exactly as sent (legacy bindings, case twins), else, for a hex address
   * in secure mode, of its lower-case form (how derived addresses are bound).
   */
  async #lookup(address: string, parsed: ParsedAddress): Promise<{ address: string; held: AddressBinding } | undefined> {
    const held = await this.store.binding(address);
    if (held) return { address, held };
    if (!this.#secure || parsed.kind !== "hex" || parsed.lower === address) return undefined;
    const lower = await this.store.binding(parsed.lower);
    return lower && { address: parsed.lower, held: lower };
  }
}

const BOUND_ELSEWHERE: Claim = { ok: false, detail: "address is bound to a different key" };

/**
 * Whether `held` is the key `key` (a verified signer's, so a valid key), comparing canonical forms.
 * Bindings are stored canonical, so equal strings settle it without decoding a secp256k1 point;
 * only a legacy encoding (compressed, upper case) is canonicalised.
 */
function holds(held: AddressBinding, key: AddressBinding): boolean {
  if (held.algorithm !== key.algorithm || !isWalletAlgorithm(held.algorithm)) return false;
  if (held.publicKey === key.publicKey) return true;
  const canonical = canonicalKeyHex(held.algorithm, key.publicKey);
  // A stored key that is no valid key (a damaged row) matches nothing.
  return canonical !== undefined && canonicalKeyHex(held.algorithm, held.publicKey) === canonical;
}

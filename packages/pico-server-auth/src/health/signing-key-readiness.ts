import { component } from "pico-ioc";
import { READINESS_CHECK } from "pico-hono";
import type { ReadinessCheck } from "pico-hono";
import { SigningKeys } from "../keys/signing-keys.js";

/** `/readyz` "signing_key": a key that signs now is loaded (tokens can be issued). */
@component({ provides: READINESS_CHECK })
export class SigningKeyReadiness implements ReadinessCheck {
  readonly name = "signing_key";
  readonly #keys: SigningKeys;

  constructor(keys: SigningKeys) {
    this.#keys = keys;
  }

  check(): string | undefined {
    return this.#keys.activeKid === undefined ? "no signing key loaded" : undefined;
  }
}

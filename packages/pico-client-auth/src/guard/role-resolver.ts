import { component, createToken } from "pico-ioc";
import { AuthClientSettings } from "../settings.js";
import { claimMappingOf } from "../token/claim-paths.js";
import type { TokenClaims } from "../token/claims.js";

/** Turns verified claims into roles. Replace with `@component({ provides: ROLE_RESOLVER })`. */
export interface RoleResolver {
  resolve(claims: TokenClaims): readonly string[] | Promise<readonly string[]>;
}

export const ROLE_RESOLVER = createToken<RoleResolver>("RoleResolver");

/**
 * The roles at `auth_client.role_claims` (default `role`, then `roles`): their union in the configured
 * order, deduplicated. Pure: the guard builds one SecurityContext per verified token with it.
 */
@component({ provides: ROLE_RESOLVER, fallback: true })
export class DefaultRoleResolver implements RoleResolver {
  readonly #settings: AuthClientSettings;

  constructor(settings: AuthClientSettings) {
    this.#settings = settings;
  }

  resolve(claims: TokenClaims): readonly string[] {
    return claimMappingOf(this.#settings).rolesOf(claims);
  }
}

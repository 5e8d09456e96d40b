import { component, createToken } from "pico-ioc";
import { rolesOf } from "../token/claims.js";
import type { TokenClaims } from "../token/claims.js";

/** Turns verified claims into roles. Replace with `@component({ provides: ROLE_RESOLVER })`. */
export interface RoleResolver {
  resolve(claims: TokenClaims): readonly string[] | Promise<readonly string[]>;
}

export const ROLE_RESOLVER = createToken<RoleResolver>("RoleResolver");

/** The `role` claim plus the `roles` array claim, when present. */
@component({ provides: ROLE_RESOLVER, fallback: true })
export class DefaultRoleResolver implements RoleResolver {
  resolve(claims: TokenClaims): readonly string[] {
    return rolesOf(claims);
  }
}

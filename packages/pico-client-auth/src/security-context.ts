import { AsyncLocalStorage } from "node:async_hooks";
import { insufficient, missingToken } from "./errors.js";
import { scopeGranted } from "./guard/scopes.js";
import { groupSatisfies } from "./token/claim-paths.js";
import type { GroupMatch } from "./token/claim-paths.js";
import type { TokenClaims } from "./token/claims.js";

const storage = new AsyncLocalStorage<SecurityContext>();
const NONE: readonly string[] = Object.freeze([]);

/**
 * The authenticated identity of the current request. Lives in an AsyncLocalStorage for exactly the
 * duration of the request's handler, so concurrent requests never see each other's.
 */
export class SecurityContext {
  readonly claims: TokenClaims;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  /** How hasGroup compares (auth_client.group_match). */
  readonly groupMatch: GroupMatch;

  /**
   * `roles` from the RoleResolver; `scopes` and `groups` as auth_client.scope_claims/group_claims read
   * them (the guard passes its claim mapping's lists).
   */
  constructor(claims: TokenClaims, roles: readonly string[], scopes: readonly string[], groups: readonly string[] = NONE, groupMatch: GroupMatch = "full_path") {
    this.claims = claims;
    // The claim mapping's lists are frozen already; only what came from elsewhere needs a frozen copy.
    this.roles = frozen(roles);
    this.groups = frozen(groups);
    this.scopes = frozen(scopes);
    this.groupMatch = groupMatch;
    Object.freeze(this);
  }

  /** The current identity; throws a 401 error when the request is not authenticated. */
  static current(): SecurityContext {
    const context = storage.getStore();
    if (!context) throw missingToken();
    return context;
  }

  /** The current identity, or `undefined` (anonymous routes, code outside a request). */
  static tryCurrent(): SecurityContext | undefined {
    return storage.getStore();
  }

  /** Runs `fn` with `context` as the current identity. */
  static run<T>(context: SecurityContext, fn: () => T): T {
    return storage.run(context, fn);
  }

  hasRole(role: string): boolean {
    return this.roles.includes(role);
  }

  /** Throws 403 unless the identity has one of `roles`. */
  requireRole(...roles: string[]): void {
    if (!roles.some((role) => this.hasRole(role))) throw insufficient(`Requires one of roles: ${listRepr(roles)}`);
  }

  /** With group_match "last_segment", a granted `/a/b` also satisfies `b` (Keycloak full group paths). */
  hasGroup(group: string): boolean {
    return this.groups.some((granted) => groupSatisfies(granted, group, this.groupMatch));
  }

  /** Wildcard-aware: a granted `billing:*` covers `billing:read`. */
  hasScope(scope: string): boolean {
    return this.scopes.some((granted) => scopeGranted(granted, scope));
  }
}

function frozen(values: readonly string[]): readonly string[] {
  return Object.isFrozen(values) ? values : Object.freeze([...values]);
}

/** Upstream's detail format: a sorted Python-style list, `['admin', 'editor']`. */
export function listRepr(values: Iterable<string>): string {
  return `[${[...values].sort().map((v) => `'${v}'`).join(", ")}]`;
}

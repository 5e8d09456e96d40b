import { AsyncLocalStorage } from "node:async_hooks";
import { insufficient, missingToken } from "./errors.js";
import { scopeGranted } from "./guard/scopes.js";
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

  constructor(claims: TokenClaims, roles: readonly string[], scopes: readonly string[]) {
    this.claims = claims;
    // Claims are deep-frozen already; only what came from elsewhere needs a frozen copy.
    this.roles = Object.isFrozen(roles) ? roles : Object.freeze([...roles]);
    this.groups = claims.groups ?? NONE;
    this.scopes = Object.isFrozen(scopes) ? scopes : Object.freeze([...scopes]);
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

  hasGroup(group: string): boolean {
    return this.groups.includes(group);
  }

  /** Wildcard-aware: a granted `billing:*` covers `billing:read`. */
  hasScope(scope: string): boolean {
    return this.scopes.some((granted) => scopeGranted(granted, scope));
  }
}

/** Upstream's detail format: a sorted Python-style list, `['admin', 'editor']`. */
export function listRepr(values: Iterable<string>): string {
  return `[${[...values].sort().map((v) => `'${v}'`).join(", ")}]`;
}

import type { MiddlewareHandler } from "hono";
import { WEB_EXTENSION } from "pico-hono";
import type { OpenApiDocument, OpenApiOperation, RouteDefinition, WebExtension } from "pico-hono";
import { component, inject } from "pico-ioc";
import type { OnInit } from "pico-ioc";
import { insufficient, invalidToken, missingToken } from "../errors.js";
import { SecurityContext, listRepr } from "../security-context.js";
import { checkAuthSettings } from "../settings-check.js";
import { AuthClientSettings } from "../settings.js";
import { scopesOf } from "../token/claims.js";
import type { TokenClaims } from "../token/claims.js";
import { TokenVerifier } from "../token/token-verifier.js";
import { ANONYMOUS, REQUIRED_GROUPS, REQUIRED_ROLES, REQUIRED_SCOPES } from "./decorators.js";
import { DefaultRoleResolver, ROLE_RESOLVER } from "./role-resolver.js";
import type { RoleResolver } from "./role-resolver.js";
import { anyScopeGranted } from "./scopes.js";

const BEARER = /^\s*bearer\s+([^\s]+)\s*$/i;

/**
 * Protects every controller route that is not `@allowAnonymous`: a guard attached to matched routes
 * only, so unknown paths stay 404 and the docs stay public. Runs first among route guards (order -100).
 */
@component({ provides: WEB_EXTENSION })
export class AuthWebExtension implements WebExtension, OnInit {
  readonly order = -100;
  readonly #settings: AuthClientSettings;
  readonly #verifier: TokenVerifier;
  readonly #roles: RoleResolver;
  /** Only for the default resolver: a replaced one may answer differently for the same claims. */
  readonly #contexts: WeakMap<TokenClaims, SecurityContext> | undefined;

  constructor(settings: AuthClientSettings, verifier: TokenVerifier, @inject(ROLE_RESOLVER) roles: RoleResolver) {
    this.#settings = settings;
    this.#verifier = verifier;
    this.#roles = roles;
    this.#contexts = roles instanceof DefaultRoleResolver ? new WeakMap() : undefined;
  }

  /** Fails boot on settings that could never authenticate anyone safely. */
  onInit(): void {
    checkAuthSettings(this.#settings);
  }

  routeMiddleware(route: RouteDefinition): MiddlewareHandler | undefined {
    if (!this.#settings.enabled || route.metadata(ANONYMOUS) === true) return undefined;
    const roles = route.metadata<readonly string[]>(REQUIRED_ROLES);
    const groups = route.metadata<readonly string[]>(REQUIRED_GROUPS);
    const scopes = route.metadata<readonly string[]>(REQUIRED_SCOPES);
    const maxLength = this.#settings.maxTokenLength;
    const authorize = (context: SecurityContext, next: () => Promise<void>): Promise<void> => {
      if (roles && !roles.some((role) => context.hasRole(role))) throw insufficient(`Requires one of roles: ${listRepr(roles)}`);
      if (groups && !groups.some((group) => context.hasGroup(group))) throw insufficient(`Requires one of groups: ${listRepr(groups)}`);
      if (scopes && !anyScopeGranted(context.scopes, scopes)) throw insufficient(`Missing required scope; required one of: ${listRepr(scopes)}`, true);
      return SecurityContext.run(context, next);
    };
    // Not an async function: a repeated token goes through without a single promise of our own (each
    // costs twice under AsyncLocalStorage's hooks on Node 20); only a token to verify waits.
    return (c, next) => {
      try {
        const header = c.req.header("authorization");
        const match = header === undefined ? null : BEARER.exec(header);
        if (!match) throw missingToken();
        const token = match[1] as string;
        if (token.length > maxLength) throw invalidToken("Invalid token: too long");
        const claims = this.#verifier.check(token);
        const context = isPromise(claims) ? claims.then((verified) => this.#contextOf(verified)) : this.#contextOf(claims);
        return isPromise(context) ? context.then((resolved) => authorize(resolved, next)) : authorize(context, next);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }

  /**
   * The identity of verified claims. Cached claims are the same object on every request, so with the
   * default (pure) role resolver their SecurityContext is built once, not per request.
   */
  #contextOf(claims: TokenClaims): SecurityContext | Promise<SecurityContext> {
    const known = this.#contexts?.get(claims);
    if (known) return known;
    const roles = this.#roles.resolve(claims);
    const make = (resolved: readonly string[]) => {
      const context = new SecurityContext(claims, resolved, scopesOf(claims));
      this.#contexts?.set(claims, context);
      return context;
    };
    return Array.isArray(roles) ? make(roles as readonly string[]) : Promise.resolve(roles).then(make);
  }

  describeRoute(route: RouteDefinition, operation: OpenApiOperation): void {
    if (!this.#settings.enabled || route.metadata(ANONYMOUS) === true) return;
    operation.security = [{ bearerAuth: [] }];
    operation.responses["401"] ??= { description: "Missing, invalid, expired or revoked bearer token", content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPError" } } } };
    if (route.metadata(REQUIRED_ROLES) || route.metadata(REQUIRED_GROUPS) || route.metadata(REQUIRED_SCOPES)) {
      operation.responses["403"] ??= { description: "Authenticated, but not allowed", content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPError" } } } };
    }
  }

  describeDocument(document: OpenApiDocument): void {
    if (!this.#settings.enabled) return;
    document.components.securitySchemes = { ...document.components.securitySchemes, bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } };
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

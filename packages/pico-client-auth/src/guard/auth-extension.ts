import { WEB_EXTENSION, incomingMessage } from "pico-hono";
import type { OpenApiDocument, OpenApiOperation, RouteDefinition, RouteInterceptor, WebExtension } from "pico-hono";
import type { Context } from "hono";
import { component, inject } from "pico-ioc";
import type { OnInit } from "pico-ioc";
import { AgentContext } from "../agent/agent-context.js";
import { AGENT_AUTHORIZATION_HEADER } from "../contract.js";
import { asAgentTokenError, insufficient, invalidToken, missingAgentToken, missingToken } from "../errors.js";
import { SecurityContext, listRepr } from "../security-context.js";
import { checkAuthSettings } from "../settings-check.js";
import { AuthClientSettings } from "../settings.js";
import { claimMappingOf } from "../token/claim-paths.js";
import type { TokenClaims } from "../token/claims.js";
import { TokenVerifier } from "../token/token-verifier.js";
import { ANONYMOUS, REQUIRED_AGENT_SCOPES, REQUIRED_GROUPS, REQUIRED_ROLES, REQUIRED_SCOPES } from "./decorators.js";
import { DefaultRoleResolver, ROLE_RESOLVER } from "./role-resolver.js";
import type { RoleResolver } from "./role-resolver.js";
import { anyScopeGranted } from "./scopes.js";
import { isPromise } from "../is-promise.js";

const BEARER = /^\s*bearer\s+([^\s]+)\s*$/i;

/**
 * Protects every controller route that is not `@allowAnonymous`: an interceptor on matched routes
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
  /** Cached agent claims are the same object on every request too: their AgentContext is built once. */
  readonly #agents = new WeakMap<TokenClaims, AgentContext>();

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

  interceptRoute(route: RouteDefinition): RouteInterceptor | undefined {
    if (!this.#settings.enabled || route.metadata(ANONYMOUS) === true) return undefined;
    const roles = route.metadata<readonly string[]>(REQUIRED_ROLES);
    const groups = route.metadata<readonly string[]>(REQUIRED_GROUPS);
    const scopes = route.metadata<readonly string[]>(REQUIRED_SCOPES);
    const agentScopes = route.metadata<readonly string[]>(REQUIRED_AGENT_SCOPES);
    const maxLength = this.#settings.maxTokenLength;
    type Proceed = () => Response | Promise<Response>;
    const authorize = (context: SecurityContext, agent: AgentContext | undefined, proceed: Proceed): Response | Promise<Response> => {
      if (roles && !roles.some((role) => context.hasRole(role))) throw insufficient(`Requires one of roles: ${listRepr(roles)}`);
      if (groups && !groups.some((group) => context.hasGroup(group))) throw insufficient(`Requires one of groups: ${listRepr(groups)}`);
      if (scopes && !anyScopeGranted(context.scopes, scopes)) throw insufficient(`Missing required scope; required one of: ${listRepr(scopes)}`, true);
      if (agentScopes) {
        if (!agent) throw missingAgentToken();
        if (!anyScopeGranted(agent.scopes, agentScopes)) throw insufficient(`Missing required agent scope; required one of: ${listRepr(agentScopes)}`, true);
      }
      return SecurityContext.run(context, agent ? () => AgentContext.run(agent, proceed) : proceed);
    };
    // After the access token: the agent token is refused unless it acts for the same user.
    const authorizeWithAgent = (context: SecurityContext, header: string, proceed: Proceed): Response | Promise<Response> => {
      const agent = this.#agentOf(header, context.claims.sub, maxLength);
      return isPromise(agent) ? agent.then((resolved) => authorize(context, resolved, proceed)) : authorize(context, agent, proceed);
    };
    // Synchronous until a token needs verifying: a repeated token goes through without a single
    // promise of our own (each costs twice under AsyncLocalStorage's hooks on Node 20). Errors throw.
    return (c, proceed) => {
      const token = bearerToken(requestHeader(c, "authorization"));
      if (token.length > maxLength) throw invalidToken("Invalid token: too long");
      const agentHeader = requestHeader(c, AGENT_AUTHORIZATION_HEADER);
      const claims = this.#verifier.check(token);
      const context = isPromise(claims) ? claims.then((verified) => this.#contextOf(verified)) : this.#contextOf(claims);
      if (agentHeader === undefined) return isPromise(context) ? context.then((resolved) => authorize(resolved, undefined, proceed)) : authorize(context, undefined, proceed);
      return isPromise(context) ? context.then((resolved) => authorizeWithAgent(resolved, agentHeader, proceed)) : authorizeWithAgent(context, agentHeader, proceed);
    };
  }

  /**
   * The AgentContext of an X-Agent-Authorization header, verified as an agent token; a 401 naming
   * the header when it is not one, or when it acts for another user than `userId`.
   */
  #agentOf(header: string, userId: string, maxLength: number): AgentContext | Promise<AgentContext> {
    const fromClaims = (claims: TokenClaims): AgentContext => {
      if (claims.sub !== userId) throw invalidToken("Invalid token: the agent token's \"sub\" is not the access token's");
      let agent = this.#agents.get(claims);
      if (!agent) {
        agent = new AgentContext(claims);
        this.#agents.set(claims, agent);
      }
      return agent;
    };
    let claims: TokenClaims | Promise<TokenClaims>;
    try {
      const token = bearerToken(header, missingAgentToken);
      if (token.length > maxLength) throw invalidToken("Invalid token: too long");
      claims = this.#verifier.checkAgent(token);
      if (!isPromise(claims)) return fromClaims(claims);
    } catch (error) {
      throw asAgentTokenError(error);
    }
    return claims.then(fromClaims).catch((error: unknown) => {
      throw asAgentTokenError(error);
    });
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
      // Built at boot by checkAuthSettings; the verifier has already read these claims through it.
      const mapping = claimMappingOf(this.#settings);
      const { scopes, groups } = mapping.read(claims);
      const context = new SecurityContext(claims, resolved, scopes, groups, mapping.groupMatch);
      this.#contexts?.set(claims, context);
      return context;
    };
    return Array.isArray(roles) ? make(roles as readonly string[]) : Promise.resolve(roles).then(make);
  }

  describeRoute(route: RouteDefinition, operation: OpenApiOperation): void {
    if (!this.#settings.enabled) return;
    // The guard lets it through without a token; a route that checks a credential itself says which (route option `openapi.security`).
    if (route.metadata(ANONYMOUS) === true) {
      operation.security ??= [];
      return;
    }
    // Both credentials at once where an agent token is required; elsewhere it is optional and not listed.
    const agentRequired = route.metadata(REQUIRED_AGENT_SCOPES) !== undefined;
    operation.security = [agentRequired ? { bearerAuth: [], [AGENT_AUTH]: [] } : { bearerAuth: [] }];
    operation.responses["401"] ??= { description: "Missing, invalid, expired or revoked bearer token", content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPError" } } } };
    if (route.metadata(REQUIRED_ROLES) || route.metadata(REQUIRED_GROUPS) || route.metadata(REQUIRED_SCOPES) || agentRequired) {
      operation.responses["403"] ??= { description: "Authenticated, but not allowed", content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPError" } } } };
    }
  }

  describeDocument(document: OpenApiDocument): void {
    if (!this.#settings.enabled) return;
    document.components.securitySchemes = { ...document.components.securitySchemes, bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } };
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path));
    if (operations.some((operation) => operation.security?.some((requirement) => AGENT_AUTH in requirement))) {
      // OpenAPI's http/bearer scheme is tied to the Authorization header; another header is an apiKey.
      document.components.securitySchemes[AGENT_AUTH] = {
        type: "apiKey",
        in: "header",
        name: AGENT_AUTHORIZATION_HEADER,
        description: "An agent token from token exchange, as `Bearer <agent token>`, beside the user's own bearer token",
      };
    }
  }
}

const BEARER_PREFIX = "Bearer ";
/** The OpenAPI security scheme of X-Agent-Authorization. */
const AGENT_AUTH = "agentAuth";

/** The token of `Bearer <token>` (scheme case-insensitive, surrounding blanks allowed), or the 401 of `missing`. */
function bearerToken(header: string | undefined, missing: () => Error = missingToken): string {
  if (header === undefined) throw missing();
  // The common exact form without a regular expression over a kilobyte of header. Space and tab
  // are the blanks a header value can hold; anything else a token cannot contain fails its parse.
  if (header.startsWith(BEARER_PREFIX)) {
    const token = header.slice(BEARER_PREFIX.length);
    if (token.length > 0 && !token.includes(" ") && !token.includes("\t")) return token;
  }
  const match = BEARER.exec(header);
  if (!match) throw missing();
  return match[1] as string;
}

/**
 * A request header (`name` in lower case). On @hono/node-server, straight from Node's parsed headers
 * (which already refused control characters): no Headers object, no second scan of the value, and
 * an absent header (X-Agent-Authorization on nearly every request) is absent there too, without
 * asking Hono's headers, which are read from the same raw headers. Elsewhere (app.request()), Hono's.
 */
function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingMessage(c);
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return typeof value === "string" || value === undefined ? value : c.req.header(name);
}


import { DecoratorMisuseError } from "pico-ioc";
import { getOwnRouteMetadata, setRouteMetadata } from "pico-hono";

import { ANONYMOUS } from "../contract.js";

export { ANONYMOUS };
export const REQUIRED_ROLES = Symbol.for("pico-client-auth.roles");
export const REQUIRED_GROUPS = Symbol.for("pico-client-auth.groups");
export const REQUIRED_SCOPES = Symbol.for("pico-client-auth.scopes");
export const REQUIRED_AGENT_SCOPES = Symbol.for("pico-client-auth.agent-scopes");

type Decorator = ClassDecorator & MethodDecorator;

/**
 * Marks a route (method) or every route of a controller (class) as public: no token is read.
 * A method's own auth decorators win over its class's.
 */
export const allowAnonymous: Decorator = ((target: object, propertyKey?: string | symbol) => {
  if (getOwnRouteMetadata(target, propertyKey, ANONYMOUS) === false) {
    throw new DecoratorMisuseError("@allowAnonymous cannot be combined with @requiresRole/@requiresGroup/@requiresScope/@requiresAgentScope on the same target");
  }
  setRouteMetadata(ANONYMOUS, true)(target as never, propertyKey as never, undefined as never);
}) as Decorator;

/** The identity needs at least one of `roles` (403 otherwise). */
export const requiresRole = (...roles: string[]): Decorator => requirement("@requiresRole", REQUIRED_ROLES, roles);

/** The token's `groups` claim must contain at least one of `groups`. */
export const requiresGroup = (...groups: string[]): Decorator => requirement("@requiresGroup", REQUIRED_GROUPS, groups);

/** The token must grant at least one of `scopes` (`scope`/`scopes` claims; `p:*` wildcards on the granted side). */
export const requiresScope = (...scopes: string[]): Decorator => requirement("@requiresScope", REQUIRED_SCOPES, scopes);

/**
 * The request must carry an agent token (`X-Agent-Authorization: Bearer ...`; 401 without one) that
 * grants at least one of `scopes` (403 otherwise; glob rules of scopeGranted). The access token's
 * scopes do not count here, nor the agent's for @requiresScope.
 */
export const requiresAgentScope = (...scopes: string[]): Decorator => requirement("@requiresAgentScope", REQUIRED_AGENT_SCOPES, scopes);

function requirement(name: string, key: symbol, values: string[]): Decorator {
  // Upstream treats an empty call as "no restriction": a silent fail-open. Here it is an error.
  if (values.length === 0 || values.some((v) => typeof v !== "string" || v === "")) {
    throw new DecoratorMisuseError(`${name} expected one or more non-empty strings, got ${JSON.stringify(values)}`);
  }
  return ((target: object, propertyKey?: string | symbol) => {
    if (getOwnRouteMetadata(target, propertyKey, ANONYMOUS) === true) {
      throw new DecoratorMisuseError(`${name} cannot be combined with @allowAnonymous on the same target`);
    }
    if (getOwnRouteMetadata(target, propertyKey, key) !== undefined) {
      throw new DecoratorMisuseError(`${name} is used twice on the same target; list every value in one call (any of them grants access)`);
    }
    setRouteMetadata(key, Object.freeze([...values]))(target as never, propertyKey as never, undefined as never);
    // A requirement on a method also overrides an @allowAnonymous on its class.
    setRouteMetadata(ANONYMOUS, false)(target as never, propertyKey as never, undefined as never);
  }) as Decorator;
}

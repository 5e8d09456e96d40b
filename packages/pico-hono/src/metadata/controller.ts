import { DecoratorMisuseError, defineComponent, rejectUnknownOptions } from "pico-ioc";
import type { Constructor, Scope } from "pico-ioc";

export interface ControllerOptions {
  /** Path prefix of every route in the class, e.g. `/api`. Default: none. */
  readonly prefix?: string;
  /** OpenAPI tags of every route in the class. */
  readonly tags?: readonly string[];
  /**
   * `"singleton"` (default, NestJS's default): one instance serves every request, no per-request work.
   * `"request"`: a new instance per request, which may inject request-scoped components.
   */
  readonly scope?: Extract<Scope, "singleton" | "request">;
}

export interface ControllerDefinition {
  readonly target: Constructor;
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly scope: "singleton" | "request";
}

const CONTROLLER_KEY = Symbol.for("pico-hono.controller");

/** Marks a class whose `@get`/`@post`/... methods become routes; it is also a component. */
export function controller(options: ControllerOptions = {}): ClassDecorator {
  rejectUnknownOptions("@controller", options, ["prefix", "tags", "scope"]);
  const prefix = normalizePrefix(options.prefix ?? "");
  const scope = options.scope ?? "singleton";
  if (scope !== "singleton" && scope !== "request") {
    throw new DecoratorMisuseError(`@controller: "scope" expected "singleton" or "request", got ${JSON.stringify(scope)}`);
  }
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) {
    throw new DecoratorMisuseError(`@controller: "tags" expected an array of strings, got ${JSON.stringify(tags)}`);
  }
  return (target) => {
    const cls = target as unknown as Constructor;
    defineComponent(cls, { scope, keys: [cls], primary: false, fallback: false });
    const definition: ControllerDefinition = { target: cls, prefix, tags: [...tags], scope };
    Reflect.defineMetadata(CONTROLLER_KEY, definition, target);
  };
}

export function getControllerDefinition(target: unknown): ControllerDefinition | undefined {
  if (typeof target !== "function") return undefined;
  return Reflect.getOwnMetadata(CONTROLLER_KEY, target) as ControllerDefinition | undefined;
}

function normalizePrefix(prefix: string): string {
  if (typeof prefix !== "string") {
    throw new DecoratorMisuseError(`@controller: "prefix" expected a string, got ${typeof prefix}`);
  }
  if (prefix === "" || prefix === "/") return "";
  if (!prefix.startsWith("/")) {
    throw new DecoratorMisuseError(`@controller: "prefix" expected a path starting with "/", got ${JSON.stringify(prefix)}`);
  }
  return prefix.replace(/\/+$/, "");
}

import { injectable } from "../tsyringe.js";
import { DecoratorMisuseError } from "../errors.js";
import type { Constructor, ProviderKey } from "../token.js";
import { describeValue } from "./describe-value.js";

/**
 * How long an instance lives.
 * - `singleton`: one per container, created at boot (default, like NestJS providers).
 * - `transient`: a new instance for every injection.
 * - `request`: one per request scope, created on first use inside it and destroyed at its end.
 */
export type Scope = "singleton" | "transient" | "request";

export interface ComponentOptions {
  /** Default `"singleton"`. */
  readonly scope?: Scope;
  /** Extra keys (tokens, interfaces' tokens, base classes) this class answers for, besides itself. */
  readonly provides?: ProviderKey | readonly ProviderKey[];
  /** Wins when several components provide one of the same keys. */
  readonly primary?: boolean;
  /**
   * A replaceable default: used for its `provides` keys only when no other component provides them,
   * whatever order modules are loaded in.
   */
  readonly fallback?: boolean;
}

export interface ComponentDefinition {
  readonly target: Constructor;
  readonly scope: Scope;
  /** Every key this component answers for; the class itself comes first. */
  readonly keys: readonly ProviderKey[];
  readonly primary: boolean;
  readonly fallback: boolean;
}

const COMPONENT_OPTION_KEYS = ["scope", "provides", "primary", "fallback"] as const;
const SCOPES: readonly Scope[] = ["singleton", "transient", "request"];

// Symbol.for: a package loaded twice (e.g. from two install paths) still shares one registry.
const DEFINITIONS_KEY = Symbol.for("pico-ioc.component");

/** Marks a class for constructor injection and registration in every container that loads it. */
export function component(options: ComponentOptions = {}): ClassDecorator {
  rejectUnknownOptions("@component", options, COMPONENT_OPTION_KEYS);
  const scope = options.scope ?? "singleton";
  if (!SCOPES.includes(scope)) {
    throw new DecoratorMisuseError(`@component: "scope" expected one of ${SCOPES.join(", ")}, got ${JSON.stringify(scope)}`);
  }
  const provides = options.provides === undefined ? [] : providerKeys("@component", options.provides);
  if (options.fallback && provides.length === 0) {
    throw new DecoratorMisuseError(`@component: "fallback" needs "provides": name the keys this class is a default for`);
  }
  return (target) => {
    defineComponent(target as unknown as Constructor, {
      scope,
      keys: [target as unknown as Constructor, ...provides],
      primary: options.primary ?? false,
      fallback: options.fallback ?? false,
    });
  };
}

/** Registers a component definition; for decorators of other packages that build on `@component`. */
export function defineComponent(target: Constructor, definition: Omit<ComponentDefinition, "target">): void {
  // tsyringe reads design:paramtypes only for classes it has seen through @injectable().
  injectable()(target as never);
  Reflect.defineMetadata(DEFINITIONS_KEY, { target, ...definition }, target);
}

export function getComponentDefinition(target: unknown): ComponentDefinition | undefined {
  if (typeof target !== "function") return undefined;
  // Own metadata only: a subclass of a component is not a component unless decorated itself.
  return Reflect.getOwnMetadata(DEFINITIONS_KEY, target) as ComponentDefinition | undefined;
}

export function rejectUnknownOptions(where: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== "object") {
    throw new DecoratorMisuseError(`${where}: options expected an object, got ${options === null ? "null" : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new DecoratorMisuseError(`${where}: unknown option "${key}"; expected one of ${known.join(", ")}`);
    }
  }
}

/** The keys of a `provides` option (one key or several), each checked to be a class or a token. */
export function providerKeys(where: string, value: ProviderKey | readonly ProviderKey[]): readonly ProviderKey[] {
  const keys = (Array.isArray(value) ? value : [value]) as readonly ProviderKey[];
  for (const key of keys) {
    if (typeof key !== "function" && typeof key !== "symbol") {
      throw new DecoratorMisuseError(`${where}: "provides" expected classes or tokens, got ${describeValue(key)}`);
    }
  }
  return keys;
}

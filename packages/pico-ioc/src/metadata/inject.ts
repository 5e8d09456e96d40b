import { tsyringeInject, tsyringeInjectAll } from "../tsyringe.js";
import { DecoratorMisuseError } from "../errors.js";
import type { Constructor, ProviderKey } from "../token.js";
import { keyName } from "../token.js";
import { getFactoryDefinition } from "./factory.js";

/** One constructor parameter: what it asks for and whether it wants every provider of that key. */
export interface Dependency {
  readonly index: number;
  /** `undefined` when the type is not known at run time (an interface, a type alias, `import type`). */
  readonly key: ProviderKey | undefined;
  readonly many: boolean;
}

const EXPLICIT_KEY = Symbol.for("pico-ioc.inject");

type ExplicitInjections = Map<number, { key: ProviderKey; many: boolean }>;

/** Injects the provider of `key` (a token or a class) into this constructor parameter. */
export function inject(key: ProviderKey): ParameterDecorator {
  return explicit("@inject", key, false);
}

/** Injects every provider of `key` as an array (empty when there is none). */
export function injectAll(key: ProviderKey): ParameterDecorator {
  return explicit("@injectAll", key, true);
}

function explicit(where: string, key: ProviderKey, many: boolean): ParameterDecorator {
  if (typeof key !== "function" && typeof key !== "symbol") {
    throw new DecoratorMisuseError(`${where}: expected a class or a token, got ${typeof key}`);
  }
  return (target, propertyKey, index) => {
    if (propertyKey !== undefined) {
      throw new DecoratorMisuseError(`${where} is for constructor parameters, not for method ${String(propertyKey)}`);
    }
    let injections = Reflect.getOwnMetadata(EXPLICIT_KEY, target) as ExplicitInjections | undefined;
    if (!injections) {
      injections = new Map();
      Reflect.defineMetadata(EXPLICIT_KEY, injections, target);
    }
    injections.set(index, { key, many });
    if (many) tsyringeInjectAll(key as never, { isOptional: true })(target, propertyKey, index);
    else tsyringeInject(key as never)(target, propertyKey, index);
  };
}

const OPAQUE_TYPES: readonly unknown[] = [Object, Function, String, Number, Boolean, Symbol, Array, Promise, undefined];

/**
 * The constructor dependencies of `target`, from `@inject`/`@injectAll` or else the emitted parameter
 * types; for a `factory()`, the parameters of `create`, from its `inject` list.
 */
export function getDependencies(target: Constructor): Dependency[] {
  const factory = getFactoryDefinition(target);
  if (factory) return factory.inject.map((key, index) => ({ index, key, many: false }));
  const types = (Reflect.getMetadata("design:paramtypes", target) as unknown[] | undefined) ?? [];
  const injections = (Reflect.getOwnMetadata(EXPLICIT_KEY, target) as ExplicitInjections | undefined) ?? new Map();
  const count = Math.max(types.length, target.length, ...[...injections.keys()].map((i) => i + 1));
  const dependencies: Dependency[] = [];
  for (let index = 0; index < count; index++) {
    const explicitInjection = injections.get(index);
    if (explicitInjection) {
      dependencies.push({ index, ...explicitInjection });
      continue;
    }
    const type = types[index];
    // Interfaces, type aliases and `import type` all emit Object (or nothing): injection needs a token.
    const key = OPAQUE_TYPES.includes(type) ? undefined : (type as ProviderKey);
    dependencies.push({ index, key, many: false });
  }
  return dependencies;
}

/** How a parameter is described in errors: `parameter #1 (Clock)`. */
export function describeParameter(dependency: Dependency): string {
  const what = dependency.key === undefined ? "type unknown at run time" : keyName(dependency.key);
  return `parameter #${dependency.index} (${dependency.many ? `all of ${what}` : what})`;
}

import { DecoratorMisuseError } from "../errors.js";
import type { Constructor, ProviderKey, Token } from "../token.js";
import { keyName } from "../token.js";
import { defineComponent, providerKeys, rejectUnknownOptions } from "./component.js";
import { describeValue } from "./describe-value.js";

/** What a key injects: a class gives its instance type, a `Token<T>` gives `T`. */
export type Injected<K> = K extends Token<infer T> ? T : K extends Constructor<infer T> ? T : never;

/** The arguments `create` receives, one per `inject` entry, in order. */
export type InjectedArgs<I extends readonly ProviderKey[]> = { -readonly [N in keyof I]: Injected<I[N]> };

/** What the product must be to answer for every key in `provides`: each key's type at once. */
export type Provided<P> = P extends readonly ProviderKey[] ? Intersection<Injected<P[number]>> : Injected<P>;

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

export interface FactoryOptions<P extends ProviderKey | readonly ProviderKey[], I extends readonly ProviderKey[], T> {
  /** The keys (tokens, classes) the product answers for; required. */
  readonly provides: P;
  /** Classes or tokens whose providers `create` receives, in order. Default: none. */
  readonly inject?: I;
  /** Builds the product once, at boot, after its dependencies; may be async. */
  readonly create: (...args: InjectedArgs<I>) => T | Promise<T>;
  /** Same meaning as `@component`'s: used for `provides` only when no other component provides them. */
  readonly fallback?: boolean;
  /** Same meaning as `@component`'s: wins when several components provide one of the same keys. */
  readonly primary?: boolean;
  /** For messages; default `factory of <first provided key>`. */
  readonly name?: string;
}

/** A factory as the container sees it: the graph treats `inject` like constructor parameters. */
export interface FactoryDefinition {
  readonly inject: readonly ProviderKey[];
  readonly create: (...args: unknown[]) => unknown;
}

const FACTORY_OPTION_KEYS = ["provides", "inject", "create", "fallback", "primary", "name"] as const;
const FACTORY_KEY = Symbol.for("pico-ioc.factory");

/**
 * A singleton built by a function instead of a constructor, e.g. a store chosen by settings.
 * Returns a class carrying a component definition: export it from a module, or list it in
 * `components`, like a `@component` class. Resolving it (or any key it provides) gives the product.
 *
 * @example
 * export const DurableStateProvider = factory({
 *   provides: DURABLE_STATE,
 *   inject: [ServerAuthSettings, LOGGER],
 *   create: async (settings, logger) => openDurableState(settings, logger),
 * });
 */
export function factory<
  const P extends ProviderKey | readonly ProviderKey[],
  const I extends readonly ProviderKey[] = [],
  T extends Provided<P> = Provided<P>,
>(options: FactoryOptions<P, I, T>): Constructor<T> {
  rejectUnknownOptions("factory", options, FACTORY_OPTION_KEYS);
  if (options.provides === undefined) {
    throw new DecoratorMisuseError(`factory: "provides" is required: name the keys (tokens or classes) the product answers for`);
  }
  const provides = providerKeys("factory", options.provides);
  if (provides.length === 0) throw new DecoratorMisuseError(`factory: "provides" expected at least one class or token, got an empty array`);
  const inject = injectList(options.inject ?? []);
  if (typeof options.create !== "function") throw new DecoratorMisuseError(`factory: "create" expected a function, got ${describeValue(options.create)}`);
  for (const flag of ["fallback", "primary"] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== "boolean") {
      throw new DecoratorMisuseError(`factory: "${flag}" expected a boolean, got ${describeValue(options[flag])}`);
    }
  }
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === "")) {
    throw new DecoratorMisuseError(`factory: "name" expected a non-empty string, got ${describeValue(options.name)}`);
  }
  const name = options.name ?? `factory of ${keyName(provides[0])}`;

  // The class is only an identity for the container (a key, a module export); it is never constructed.
  const target = class {
    constructor() {
      throw new DecoratorMisuseError(`${name} is a factory provider: it is not constructed; inject one of the keys it provides`);
    }
  };
  Object.defineProperty(target, "name", { value: name });
  const definition: FactoryDefinition = { inject, create: options.create as (...args: unknown[]) => unknown };
  Reflect.defineMetadata(FACTORY_KEY, definition, target);
  defineComponent(target, {
    scope: "singleton",
    keys: [target, ...provides],
    primary: options.primary ?? false,
    fallback: options.fallback ?? false,
  });
  return target as unknown as Constructor<T>;
}

/** The factory behind a class returned by `factory()`, or `undefined` for any other class. */
export function getFactoryDefinition(target: unknown): FactoryDefinition | undefined {
  if (typeof target !== "function") return undefined;
  return Reflect.getOwnMetadata(FACTORY_KEY, target) as FactoryDefinition | undefined;
}

function injectList(inject: unknown): readonly ProviderKey[] {
  if (!Array.isArray(inject)) throw new DecoratorMisuseError(`factory: "inject" expected an array of classes or tokens, got ${describeValue(inject)}`);
  inject.forEach((key: unknown, index) => {
    if (typeof key !== "function" && typeof key !== "symbol") {
      throw new DecoratorMisuseError(`factory: "inject[${index}]" expected a class or a token, got ${describeValue(key)}`);
    }
  });
  return [...(inject as ProviderKey[])];
}

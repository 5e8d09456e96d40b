/** A class usable as an injection token (abstract classes included). */
export type Constructor<T = unknown> = abstract new (...args: never[]) => T;

declare const tokenType: unique symbol;

/**
 * A typed token for things that do not exist at run time (interfaces, type aliases, values).
 * Create one with `createToken<T>(name)` and inject it with `@inject(TOKEN)`.
 */
export type Token<T = unknown> = symbol & { readonly [tokenType]?: T };

/** Anything the container can provide: a class or a token. */
export type ProviderKey<T = unknown> = Constructor<T> | Token<T>;

export function createToken<T>(name: string): Token<T> {
  return Symbol(name) as Token<T>;
}

/** A readable name for messages: the class name or the token's description. */
export function keyName(key: ProviderKey | undefined): string {
  if (key === undefined) return "undefined";
  if (typeof key === "symbol") return key.description ?? key.toString();
  return key.name || "<anonymous class>";
}

/**
 * Types that let `new Application({ moduleNames, config })` check `config` at compile time.
 *
 * Each package that owns settings adds its entry to `PicoModuleSections` by declaration merging,
 * keyed by its module name in snake_case, and derives the section from its settings class:
 *
 *   declare module "pico-ioc" {
 *     interface PicoModuleSections {
 *       pico_server_auth: { readonly server_auth?: SettingsSection<ServerAuthSettings> };
 *     }
 *   }
 *
 * The entry is part of a program once the package's types are: an import of the package, an
 * `import type {} from "pico-server-auth"`, or a `types` entry in tsconfig.json.
 * @module
 */

/** Module name (snake_case, as in `moduleNames`) -> the config sections that module adds. Empty here; packages augment it. */
export interface PicoModuleSections {}

type Upper = "A" | "B" | "C" | "D" | "E" | "F" | "G" | "H" | "I" | "J" | "K" | "L" | "M" | "N" | "O" | "P" | "Q" | "R" | "S" | "T" | "U" | "V" | "W" | "X" | "Y" | "Z";
type LowerOrDigit = Lowercase<Upper> | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

/**
 * `accessTokenExpireMinutes` -> `access_token_expire_minutes`, `apiURL` -> `api_url`, as `toSnakeCase`
 * does at run time: an underscore goes before a capital that follows a lower-case letter or digit,
 * or that starts the last word of a run of capitals (`HTMLParser` -> `html_parser`).
 */
export type SnakeCase<S extends string, Previous extends string = ""> = S extends `${infer C}${infer Rest}`
  ? `${C extends Upper ? (Previous extends LowerOrDigit ? "_" : Previous extends Upper ? (Rest extends `${LowerOrDigit}${string}` ? "_" : "") : "") : ""}${Lowercase<C>}${SnakeCase<Rest, C>}`
  : "";

/** What the config tree may hold for a field of this type (the binder also parses strings: that stays for env and files). */
type SettingValue<V> = NonNullable<V> extends readonly (infer Item)[] ? readonly Item[] : NonNullable<V>;

/**
 * The config section of a settings class: its fields in snake_case, all optional (each has a
 * default, or the env may set it). A field declared with an explicit `key` option is not renamed
 * here: write that section's type by hand.
 */
export type SettingsSection<T> = {
  readonly [K in keyof T as K extends string ? (T[K] extends (...args: never[]) => unknown ? never : SnakeCase<K>) : never]?: SettingValue<T[K]>;
};

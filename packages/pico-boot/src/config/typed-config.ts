import type { WebSettings } from "pico-hono";
import type { PicoModuleSections, SettingsSection } from "pico-ioc";

/** `"pico-server-auth"` and `"pico_server_auth"` name the same module (as at run time): the registry uses the latter. */
type ModuleKey<Name extends string> = Name extends `${infer Head}-${infer Tail}` ? ModuleKey<`${Head}_${Tail}`> : Name;

type UnionToIntersection<U> = (U extends unknown ? (section: U) => void : never) extends (section: infer I) => void ? I : never;

/**
 * The `config` of `new Application({ moduleNames, config })`: the `web` section (always there),
 * plus the sections of every named module registered in `PicoModuleSections`. When every name is
 * registered, nothing else is accepted, so a misspelt section or key fails `tsc`; a name whose
 * types are not loaded (or a `moduleNames` that is not a literal) also admits any other section,
 * whose contents only the boot-time check sees.
 *
 * @example
 *   import type {} from "pico-server-auth"; // loads its section type
 *   const config = { server_auth: { issuer: "https://auth.example.com" } } satisfies ApplicationConfig<["pico_server_auth"]>;
 */
export type ApplicationConfig<Names extends readonly string[] = readonly string[]> = { readonly web?: SettingsSection<WebSettings> } & UnionToIntersection<
  PicoModuleSections[ModuleKey<Names[number]> & keyof PicoModuleSections]
> &
  ([ModuleKey<Names[number]>] extends [keyof PicoModuleSections] ? unknown : { readonly [section: string]: unknown });

import { createRequire } from "node:module";
import type * as Tsyringe from "tsyringe";
// Types only (the Reflect.*Metadata globals); the code is required below.
export type {} from "reflect-metadata";

/**
 * tsyringe and reflect-metadata are CommonJS. Imported from ESM, Node would first scan tsyringe's
 * every re-exported file for the names it exports (cjs-module-lexer), which made loading them 3 to
 * 4 times slower, the largest single part of an application's boot. Required, they load as plain
 * CommonJS. Everything in pico-ioc takes them from here.
 */
const require = createRequire(import.meta.url);
require("reflect-metadata");
const tsyringe = require("tsyringe") as typeof Tsyringe;

export const { container: rootContainer, injectable, inject: tsyringeInject, injectAll: tsyringeInjectAll, Lifecycle } = tsyringe;
export type Lifecycle = Tsyringe.Lifecycle;
export type { DependencyContainer } from "tsyringe";

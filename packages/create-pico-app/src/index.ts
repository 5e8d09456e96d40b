/** create-pico-app as a library: what the `create-pico-app` command does, for tools and tests. */
export { scaffold, ownVersion, PICO_PACKAGES } from "./scaffold.js";
export { parseArguments, invalidAppName, USAGE } from "./arguments.js";
export { UsageError } from "./errors.js";
export type { ScaffoldOptions, Scaffolded } from "./scaffold.js";
export type { CliArguments } from "./arguments.js";

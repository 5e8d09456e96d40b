/**
 * pico-boot: the Application that loads pico modules by name and serves them.
 * @module
 */
export { Application } from "./application.js";
export { DEFAULT_HOST, DEFAULT_PORT } from "./options.js";
export { loadEnvironment } from "./config/env-file.js";
export { createLogger } from "./logging/create-logger.js";
export { LOG_LEVELS } from "./logging/log-level.js";
export { moduleNameCandidates } from "./modules/load-modules.js";
export { isPrimaryProcess, isWorkerProcess, WORKERS_ENV } from "./workers/role.js";
export { PicoBootError, InvalidOptionsError, ModuleNotFoundError, ModuleImportError, NotInitializedError, ApplicationStoppedError, ListenError } from "./errors.js";

export type { ApplicationOptions, ListenOptions, RunOptions } from "./options.js";
export type { EnvFileOption, EnvironmentOptions } from "./config/env-file.js";
export type { ApplicationConfig } from "./config/typed-config.js";
export type { StartedAddress } from "./application.js";
export type { PicoBootErrorCode } from "./errors.js";
export type { LogDestination, LoggerOptions, PicoLogger } from "./logging/create-logger.js";
export type { LogLevel } from "./logging/log-level.js";

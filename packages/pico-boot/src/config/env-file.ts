import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import type { Env } from "pico-ioc";
import { InvalidOptionsError } from "../errors.js";

/** Where the env file is: a path (relative to the working directory), or `false` for none. */
export type EnvFileOption = string | URL | false;

export interface EnvironmentOptions {
  /** The environment; default `process.env`. Given explicitly, it is used as given: no env file unless `envFile` names one. */
  readonly env?: Env;
  /** Default: `PICO_BOOT_ENV_FILE` from the environment, else `.env` in the working directory if there is one. */
  readonly envFile?: EnvFileOption;
}

const OFF = new Set(["false", "0", "no", "off"]);

/**
 * The environment an Application reads: the variables of the env file, overridden by the real
 * environment (as `process.loadEnvFile` would leave them). The file is parsed with `util.parseEnv`
 * and never written into `process.env`: two Applications in one process, or a test, cannot leak
 * variables into each other.
 *
 * @example
 *   const env = loadEnvironment();                          // process.env over ./.env
 *   const app = new Application({ env, config: configFor(env) });
 */
export function loadEnvironment(options: EnvironmentOptions = {}): Env {
  const base = options.env ?? process.env;
  const file = envFileOf(options, base);
  if (file === undefined) return base;
  const text = readEnvFile(file.path, file.required);
  if (text === undefined) return base;
  return { ...parseEnv(text), ...base };
}

/** Which file to read, and whether its absence is an error (a path someone named must exist). */
function envFileOf(options: EnvironmentOptions, base: Env): { path: string; required: boolean } | undefined {
  const { envFile } = options;
  if (envFile === false) return undefined;
  if (envFile !== undefined) return { path: toPath(envFile), required: true };
  // An explicit `env` is the whole environment (tests pass `env: {}`): nothing may slip in from a file.
  if (options.env !== undefined) return undefined;
  const fromEnv = base.PICO_BOOT_ENV_FILE;
  if (fromEnv === undefined || fromEnv === "") return { path: resolve(".env"), required: false };
  if (OFF.has(fromEnv.trim().toLowerCase())) return undefined;
  return { path: resolve(fromEnv), required: true };
}

function toPath(envFile: string | URL): string {
  if (envFile instanceof URL) return fileURLToPath(envFile);
  if (typeof envFile !== "string" || envFile === "") {
    throw new InvalidOptionsError(`Application: "envFile" expected a path, a file URL or false, got ${JSON.stringify(envFile)}`);
  }
  return resolve(envFile);
}

function readEnvFile(path: string, required: boolean): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!required && code === "ENOENT") return undefined;
    const why = code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new InvalidOptionsError(`Cannot read the env file ${path} (the "envFile" option or PICO_BOOT_ENV_FILE): ${why}`);
  }
}

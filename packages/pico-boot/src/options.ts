import type { Constructor, Env, Logger, Override } from "pico-ioc";
import type { EnvFileOption } from "./config/env-file.js";
import type { ApplicationConfig } from "./config/typed-config.js";
import { InvalidOptionsError } from "./errors.js";

export interface ApplicationOptions<Names extends readonly string[] = readonly string[]> {
  /**
   * Packages to load, resolved from the application's package: `"pico_server_auth"` and
   * `"pico-server-auth"` are the same name. Everything a module exports with a pico decorator is registered.
   */
  readonly moduleNames?: Names;
  /**
   * The configuration tree, one section per `@configured` prefix. `.env` and environment variables
   * override it. Type-checked against the sections of the named modules (see `ApplicationConfig`).
   */
  readonly config?: ApplicationConfig<Names>;
  /**
   * Where the application's package is: a directory or a file inside it (pass `import.meta.url`).
   * Default: the directory of the script Node was started with.
   */
  readonly root?: string | URL;
  /** Extra decorated classes to register directly, without a module (handy in tests). */
  readonly components?: readonly Constructor[];
  /** Replace providers, e.g. with fakes in tests. */
  readonly overrides?: readonly Override[];
  /**
   * Environment for the config overlay, `PORT`, `HOST`, `LOG_LEVEL` and `PICO_BOOT_AUTO_PLUGINS`. Default
   * `process.env` over the variables of `.env`. Given explicitly, it is used as given (no `.env`
   * unless `envFile` names one), so tests are not affected by a file in the working directory.
   */
  readonly env?: Env;
  /**
   * The env file under the environment: a path (relative to the working directory) or a file URL
   * that must exist, or `false` for none. Default: `PICO_BOOT_ENV_FILE`, else `.env` if present.
   * Parsed with `util.parseEnv`; `process.env` is never changed.
   */
  readonly envFile?: EnvFileOption;
  /** Load dependencies marked as pico modules. Default: on, unless `PICO_BOOT_AUTO_PLUGINS` turns it off. */
  readonly autoPlugins?: boolean;
  /**
   * What the framework and the modules log through (`LOGGER`). Default: pico-boot's pino logger at
   * `LOG_LEVEL` (JSON lines, readable ones on a terminal; see `createLogger`). A logger with
   * pino's `isLevelEnabled` that drops info lines turns the access log off.
   */
  readonly logger?: Logger;
  /** How long `stop()` waits for in-flight requests before closing their connections. Default 10 000 ms. */
  readonly shutdownTimeoutMs?: number;
  /**
   * How long a client may take to send a request's headers before the socket is closed with a 408
   * (slow-loris). Default 10 000 ms (Node's own default is 60 000, checked only every 30 s).
   */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, body included. Default 30 000 ms (Node: 300 000). */
  readonly requestTimeoutMs?: number;
}

const OPTION_KEYS = ["moduleNames", "config", "root", "components", "overrides", "env", "envFile", "autoPlugins", "logger", "shutdownTimeoutMs", "headersTimeoutMs", "requestTimeoutMs"];

/** Rejects anything that cannot be meant; the names it cites are the option names users typed. */
export function validateOptions(options: ApplicationOptions): void {
  if (options === null || typeof options !== "object") {
    throw new InvalidOptionsError(`Application: options expected an object, got ${options === null ? "null" : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      const hint = key === "module_names" ? ' (did you mean "moduleNames"?)' : "";
      throw new InvalidOptionsError(`Application: unknown option "${key}"${hint}; expected one of ${OPTION_KEYS.join(", ")}`);
    }
  }
  const { moduleNames, config, shutdownTimeoutMs, headersTimeoutMs, requestTimeoutMs } = options;
  if (moduleNames !== undefined && (!Array.isArray(moduleNames) || moduleNames.some((n) => typeof n !== "string" || n === ""))) {
    throw new InvalidOptionsError(`Application: "moduleNames" expected an array of package names, got ${JSON.stringify(moduleNames)}`);
  }
  if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
    throw new InvalidOptionsError(`Application: "config" expected an object of sections, got ${Array.isArray(config) ? "an array" : String(config)}`);
  }
  if (shutdownTimeoutMs !== undefined && !(Number.isFinite(shutdownTimeoutMs) && shutdownTimeoutMs >= 0)) {
    throw new InvalidOptionsError(`Application: "shutdownTimeoutMs" expected a number >= 0, got ${shutdownTimeoutMs}`);
  }
  for (const [name, value] of [["headersTimeoutMs", headersTimeoutMs], ["requestTimeoutMs", requestTimeoutMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new InvalidOptionsError(`Application: "${name}" expected a number > 0, got ${value}`);
  }
  if (headersTimeoutMs !== undefined && requestTimeoutMs !== undefined && headersTimeoutMs > requestTimeoutMs) {
    throw new InvalidOptionsError(`Application: "headersTimeoutMs" (${headersTimeoutMs}) must not exceed "requestTimeoutMs" (${requestTimeoutMs})`);
  }
}

export interface ListenOptions {
  /** Default: `PORT` from the environment, else 8100. `0` picks a free port. */
  readonly port?: number;
  /** Default: `HOST` from the environment, else 127.0.0.1 (not exposed to the network unless asked). */
  readonly host?: string;
}

/** Options of `run()`: where to listen, and how many processes serve. */
export interface RunOptions extends ListenOptions {
  /**
   * How many processes serve the application on one port, with `node:cluster`: 1 (the default) is
   * this process alone; 0 is one per core (`os.availableParallelism()`); at most 256. `WORKERS` in
   * the environment, when set, overrides this option: the deployment decides.
   *
   * Above 1, this process is the primary: it does not boot the application; it runs the program
   * again once per worker (same script, arguments and Node options), hands each the configuration
   * it was given (`config` and the environment, as JSON: a password generated once is every
   * worker's), logs one line once all listen, replaces a worker that dies (at most 5 in 60 s, then it
   * exits 1), and on SIGINT/SIGTERM stops every worker gracefully. A worker that cannot boot ends
   * the program: its problem is printed once, exit 1. Each worker is its own process: in-memory
   * state (and `/metrics`) is per worker. Announce things once with `isPrimaryProcess()`.
   */
  readonly workers?: number;
}

export const DEFAULT_PORT = 8100;
export const DEFAULT_HOST = "127.0.0.1";

export function listenAddress(options: ListenOptions, env: Env): { port: number; host: string } {
  const rawPort = options.port ?? (env.PORT === undefined || env.PORT === "" ? DEFAULT_PORT : env.PORT);
  const port = typeof rawPort === "number" ? rawPort : /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionsError(`"port" expected an integer from 0 to 65535 (option or PORT), got ${JSON.stringify(rawPort)}`);
  }
  const host = options.host ?? (env.HOST || DEFAULT_HOST);
  return { port, host };
}

import type { Hono } from "hono";
import { WebSettings, buildWebApp, getControllerDefinition } from "pico-hono";
import type { RouteDefinition } from "pico-hono";
import { LOGGER, PicoContainer } from "pico-ioc";
import type { Env, Logger } from "pico-ioc";
import { ApplicationStoppedError, NotInitializedError } from "./errors.js";
import { findAppPackage } from "./modules/app-package.js";
import { autoPluginsEnabled } from "./modules/discover-plugins.js";
import { loadModules } from "./modules/load-modules.js";
import { describeBootFailure } from "./logging/boot-failure.js";
import { BootGate } from "./logging/boot-gate.js";
import { logOutput, loggerOver } from "./logging/create-logger.js";
import { DEFAULT_LOG_LEVEL, logLevelFrom } from "./logging/log-level.js";
import { listenAddress, validateOptions } from "./options.js";
import type { ApplicationOptions, ListenOptions } from "./options.js";
import { listen } from "./server/http-server.js";
import type { RunningServer } from "./server/http-server.js";
import { forgetOnSignals, stopOnSignals } from "./server/shutdown-signals.js";

interface Booted {
  readonly container: PicoContainer;
  readonly hono: Hono;
  readonly routes: readonly RouteDefinition[];
}

/**
 * A pico application: loads modules by name into one container of its own and serves their
 * controllers from one Hono app.
 *
 * @example
 *   const app = new Application({ moduleNames: ["my_app"], config: { my_app: { greeting: "hi" } } });
 *   await app.run();
 */
export class Application {
  readonly #options: ApplicationOptions;
  readonly #env: Env;
  readonly #logger: Logger;
  /** The default logger's boot gate (none for a logger passed in). */
  readonly #gate: BootGate | undefined;
  /** A bad LOG_LEVEL: reported by init(), so that run() prints it as a boot error. */
  readonly #logLevelProblem: unknown;
  #booting: Promise<Booted> | undefined;
  #booted: Booted | undefined;
  #server: Promise<RunningServer> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ApplicationOptions = {}) {
    validateOptions(options);
    this.#options = options;
    this.#env = options.env ?? process.env;
    if (options.logger) {
      this.#logger = options.logger;
      return;
    }
    let level = DEFAULT_LOG_LEVEL;
    try {
      level = logLevelFrom(this.#env);
    } catch (error) {
      this.#logLevelProblem = error;
    }
    this.#gate = new BootGate(logOutput());
    this.#logger = loggerOver(level, this.#gate);
  }

  /**
   * Loads the modules, binds configuration, validates the dependency graph, creates every singleton
   * and awaits their `onInit`, then builds the routes. Idempotent; `start()` and `request()` call it.
   * A failed boot destroys whatever was created, and a later call tries again.
   */
  init(): Promise<this> {
    if (this.#stopping) return Promise.reject(new ApplicationStoppedError());
    if (this.#logLevelProblem) return Promise.reject(this.#logLevelProblem);
    this.#booting ??= this.#boot().then(
      (booted) => (this.#booted = booted),
      (error: unknown) => {
        this.#booting = undefined;
        throw error;
      },
    );
    return this.#booting.then(() => this);
  }

  /** The Hono app (after `init()`). */
  get hono(): Hono {
    return this.#require("app.hono").hono;
  }

  /** This application's container (after `init()`). */
  get container(): PicoContainer {
    return this.#require("app.container").container;
  }

  /** Every route, in declaration order (after `init()`). */
  get routes(): readonly RouteDefinition[] {
    return this.#require("app.routes").routes;
  }

  /** Runs one request in-process, without a socket: `await app.request("/api/items")`. */
  async request(input: string | Request | URL, init?: RequestInit): Promise<Response> {
    await this.init();
    if (this.#stopping) throw new ApplicationStoppedError();
    return this.hono.request(input, init);
  }

  /** Boots (if needed) and listens. Resolves with the address once the server accepts connections. */
  async start(options: ListenOptions = {}): Promise<{ url: string; port: number; host: string }> {
    const { port, host } = listenAddress(options, this.#env);
    this.#server ??= this.init().then(() => listen(this.hono, port, host, this.#options));
    try {
      const { url, port: actualPort, host: actualHost } = await this.#server;
      return { url, port: actualPort, host: actualHost };
    } catch (error) {
      this.#server = undefined;
      throw error;
    }
  }

  /**
   * Stops accepting connections, waits for in-flight requests (up to `shutdownTimeoutMs`), then runs
   * every `onDestroy` in reverse creation order. Idempotent and final: a stopped application does not
   * start again (make a new one). A `start()` still under way is waited for, then closed.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      forgetOnSignals(this);
      const server = await this.#server?.catch(() => undefined);
      await server?.close(this.#options.shutdownTimeoutMs ?? 10_000);
      await this.#booting?.catch(() => undefined);
      await this.#booted?.container.destroy();
    })();
    return this.#stopping;
  }

  /**
   * `start()`, log the URL, and stop gracefully on SIGINT/SIGTERM, then exit 0 (1 if a shutdown
   * hook failed). A second signal during shutdown exits at once with 1. Resolves once listening.
   *
   * Made for a program's main: nothing is logged before the server listens (the default logger
   * holds its lines until then), and a boot that fails prints one line per problem on stderr (the
   * stack too with LOG_LEVEL=debug) and exits with 1. Use `start()` to handle the failure yourself.
   */
  async run(options: ListenOptions = {}): Promise<void> {
    this.#gate?.hold();
    let url: string;
    try {
      ({ url } = await this.start(options));
    } catch (error) {
      return this.#exitAfterFailedBoot(error);
    }
    this.#logger.info(`pico-boot: listening on ${url}`, { event: "boot.listening", url });
    this.#gate?.release();
    stopOnSignals(this, this.#logger);
  }

  async #exitAfterFailedBoot(error: unknown): Promise<never> {
    const debug = this.#logLevelProblem === undefined && this.#env.LOG_LEVEL?.trim().toLowerCase() === "debug";
    // At debug, what the boot logged may tell why it failed; otherwise it is noise before the error.
    if (debug) this.#gate?.release();
    else this.#gate?.discard();
    await this.stop().catch(() => undefined);
    process.stderr.write(describeBootFailure(error, debug));
    process.exit(1);
  }

  async #boot(): Promise<Booted> {
    const options = this.#options;
    const app = findAppPackage(options.root);
    const autoPlugins = options.autoPlugins ?? autoPluginsEnabled(this.#env.PICO_BOOT_AUTO_PLUGINS);
    const modules = await loadModules(app, options.moduleNames ?? [], autoPlugins, this.#logger);
    // WebSettings is always there, so the `web` config section is always valid.
    const components = [...new Set([WebSettings, ...modules.components, ...(options.components ?? [])])];
    const container = await PicoContainer.create({
      components,
      config: options.config ?? {},
      env: this.#env,
      overrides: [{ provide: LOGGER, useValue: this.#logger }, ...(options.overrides ?? [])],
    });
    try {
      const controllers = components.filter((c) => getControllerDefinition(c) !== undefined);
      const accessLog = !isQuieterThanInfo(this.#logger);
      const { hono, routes } = buildWebApp(container, controllers, this.#logger, { accessLog });
      return { container, hono, routes };
    } catch (error) {
      await container.destroy().catch(() => undefined);
      throw error;
    }
  }

  #require(what: string): Booted {
    if (!this.#booted) throw new NotInitializedError(what);
    return this.#booted;
  }
}

/** A logger that says (as pino's and pico-boot's do) that it drops info lines: the access log is then off. */
function isQuieterThanInfo(logger: Logger): boolean {
  const isLevelEnabled = (logger as { isLevelEnabled?: unknown }).isLevelEnabled;
  return typeof isLevelEnabled === "function" && isLevelEnabled.call(logger, "info") === false;
}

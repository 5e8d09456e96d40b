import type { Hono } from "hono";
import { ClientAddresses, WebSettings, buildWebApp, getControllerDefinition } from "pico-hono";
import type { RouteDefinition } from "pico-hono";
import { LOGGER, METRICS, PicoContainer, consoleLogger, noMetrics } from "pico-ioc";
import type { Env, Logger } from "pico-ioc";
import { loadEnvironment } from "./config/env-file.js";
import { ApplicationStoppedError, NotInitializedError } from "./errors.js";
import { findAppPackage } from "./modules/app-package.js";
import { autoPluginsEnabled } from "./modules/discover-plugins.js";
import { loadModules } from "./modules/load-modules.js";
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
 *
 * `config` is type-checked against the sections of the modules named (`ApplicationConfig`); the
 * environment is `process.env` over `./.env` (`envFile`, `loadEnvironment`).
 */
export class Application<const Names extends readonly string[] = readonly string[]> {
  // Names only types `config` (see ApplicationConfig); inside, the options are read as untyped config.
  readonly #options: ApplicationOptions;
  readonly #env: Env;
  readonly #logger: Logger;
  #booting: Promise<Booted> | undefined;
  #booted: Booted | undefined;
  #server: Promise<RunningServer> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ApplicationOptions<Names> = {}) {
    validateOptions(options);
    this.#options = options as ApplicationOptions;
    this.#env = loadEnvironment(options);
    this.#logger = options.logger ?? consoleLogger;
  }

  /**
   * Loads the modules, binds configuration, validates the dependency graph, creates every singleton
   * and awaits their `onInit`, then builds the routes. Idempotent; `start()` and `request()` call it.
   * A failed boot destroys whatever was created, and a later call tries again.
   */
  init(): Promise<this> {
    if (this.#stopping) return Promise.reject(new ApplicationStoppedError());
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
   */
  async run(options: ListenOptions = {}): Promise<void> {
    const { url } = await this.start(options);
    this.#logger.info(`pico-boot: listening on ${url}`);
    stopOnSignals(this, this.#logger);
  }

  async #boot(): Promise<Booted> {
    const options = this.#options;
    const app = findAppPackage(options.root);
    const autoPlugins = options.autoPlugins ?? autoPluginsEnabled(this.#env.PICO_BOOT_AUTO_PLUGINS);
    const modules = await loadModules(app, options.moduleNames ?? [], autoPlugins, this.#logger);
    // WebSettings is always there, so the `web` config section is always valid; ClientAddresses reads
    // its trusted proxies for every module's per-client limits.
    const components = [...new Set([WebSettings, ClientAddresses, ...modules.components, ...(options.components ?? [])])];
    const container = await PicoContainer.create({
      components,
      config: options.config ?? {},
      env: this.#env,
      overrides: [{ provide: LOGGER, useValue: this.#logger }, { provide: METRICS, useValue: noMetrics }, ...(options.overrides ?? [])],
    });
    try {
      const controllers = components.filter((c) => getControllerDefinition(c) !== undefined);
      const { hono, routes } = buildWebApp(container, controllers, this.#logger);
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

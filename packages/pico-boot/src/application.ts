import type { Hono } from "hono";
import { ClientAddresses, WebSettings, buildWebApp, getControllerDefinition } from "pico-hono";
import type { RouteDefinition } from "pico-hono";
import { ConfigurationError, LOGGER, METRICS, PicoContainer, noMetrics } from "pico-ioc";
import type { Env, Logger } from "pico-ioc";
import { flushCompileCache } from "./compile-cache.js";
import { loadEnvironment } from "./config/env-file.js";
import { ApplicationStoppedError, InvalidOptionsError, NotInitializedError } from "./errors.js";
import { findAppPackage } from "./modules/app-package.js";
import { autoPluginsEnabled } from "./modules/discover-plugins.js";
import { earlyWebSettings } from "./metrics/early-web-settings.js";
import { metricsOnlyApp } from "./metrics/metrics-server.js";
import type { PromMetrics } from "./metrics/prom-metrics.js";
import { loadModules } from "./modules/load-modules.js";
import { describeBootFailure } from "./logging/boot-failure.js";
import { BootGate } from "./logging/boot-gate.js";
import { logOutput, loggerOver } from "./logging/create-logger.js";
import { DEFAULT_LOG_LEVEL, logLevelFrom } from "./logging/log-level.js";
import { listenAddress, validateOptions } from "./options.js";
import type { ApplicationOptions, ListenOptions, RunOptions } from "./options.js";
import { listen } from "./server/http-server.js";
import type { RunningServer } from "./server/http-server.js";
import { forgetOnSignals, shutDownRunning, stopOnSignals } from "./server/shutdown-signals.js";
import { WorkerSupervisor } from "./workers/supervisor.js";
import { isWorkerProcess } from "./workers/role.js";
import { workerCount } from "./workers/worker-count.js";
import { configurationFromPrimary, onStopRequest, tellPrimary } from "./workers/worker.js";

/** What sets the port of the /metrics listener, as boot errors name it. */
const METRICS_PORT_SETTING = "web.metrics_port (WEB__METRICS_PORT)";

interface Booted {
  readonly container: PicoContainer;
  readonly hono: Hono;
  readonly routes: readonly RouteDefinition[];
  /** Set when `/metrics` has a listener of its own (`web.metrics_port`). */
  readonly metricsListener?: { readonly hono: Hono; readonly port: number };
}

/** What `start()` resolves with; `metricsUrl` only when `/metrics` listens on a port of its own. */
export interface StartedAddress {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly metricsUrl?: string;
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
  // Not readonly: a worker of run({ workers }) takes its config and env from the primary.
  #options: ApplicationOptions;
  #env: Env;
  readonly #logger: Logger;
  /** The default logger's boot gate (none for a logger passed in). */
  readonly #gate: BootGate | undefined;
  /**
   * An env file that cannot be read, or a bad LOG_LEVEL: a deployment problem, reported by init() so
   * that run() prints it as a boot error (one line) instead of the constructor throwing a stack.
   */
  readonly #environmentProblem: unknown;
  #booting: Promise<Booted> | undefined;
  #booted: Booted | undefined;
  #server: Promise<RunningServer> | undefined;
  #metricsServer: Promise<RunningServer | undefined> | undefined;
  #stopping: Promise<void> | undefined;
  /** The primary's workers, when run({ workers }) started several processes. */
  #supervisor: WorkerSupervisor | undefined;

  constructor(options: ApplicationOptions<Names> = {}) {
    validateOptions(options);
    this.#options = options as ApplicationOptions;
    let env: Env;
    try {
      env = loadEnvironment(options);
    } catch (error) {
      // Without the file, the rest of the environment still says LOG_LEVEL (debug: the stack).
      env = options.env ?? process.env;
      this.#environmentProblem = error;
    }
    this.#env = env;
    if (options.logger) {
      this.#logger = options.logger;
      return;
    }
    let level = DEFAULT_LOG_LEVEL;
    try {
      level = logLevelFrom(this.#env);
    } catch (error) {
      this.#environmentProblem ??= error;
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
    if (this.#environmentProblem) return Promise.reject(this.#environmentProblem);
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
  async start(options: ListenOptions = {}): Promise<StartedAddress> {
    const { port, host } = listenAddress(options, this.#env);
    this.#server ??= this.init().then(() => {
      this.#refuseMetricsOnMainPort(port);
      return listen(this.hono, port, host, this.#options);
    });
    try {
      const { url, port: actualPort, host: actualHost } = await this.#server;
      const metrics = await this.#startMetricsListener(host);
      return metrics ? { url, port: actualPort, host: actualHost, metricsUrl: metrics.url } : { url, port: actualPort, host: actualHost };
    } catch (error) {
      this.#server = undefined;
      throw error;
    }
  }

  /**
   * A metrics_port equal to the main port would fail as "in use by another process" once the main
   * listener holds it, which misleads: say what is wrong, before anything listens.
   */
  #refuseMetricsOnMainPort(port: number): void {
    const listener = this.#require("app.start").metricsListener;
    if (port === 0 || listener?.port !== port) return;
    throw new ConfigurationError([
      { path: "web.metrics_port", message: `is the main port too (${port}, PORT); choose another port for /metrics with ${METRICS_PORT_SETTING}, or 0 to serve it on the main port` },
    ]);
  }

  /** The `web.metrics_port` listener, on the main listener's host; a failure to listen stops the main one too. */
  async #startMetricsListener(host: string): Promise<RunningServer | undefined> {
    const listener = this.#require("app.start").metricsListener;
    if (!listener) return undefined;
    this.#metricsServer ??= listen(listener.hono, listener.port, host, this.#options, METRICS_PORT_SETTING);
    try {
      return await this.#metricsServer;
    } catch (error) {
      this.#metricsServer = undefined;
      const main = await this.#server;
      await main?.close(0);
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
      const workers = this.#supervisor?.stop();
      const server = await this.#server?.catch(() => undefined);
      const metricsServer = await this.#metricsServer?.catch(() => undefined);
      await Promise.all([server?.close(this.#options.shutdownTimeoutMs ?? 10_000), metricsServer?.close(0)]);
      await this.#booting?.catch(() => undefined);
      await this.#booted?.container.destroy();
      await workers;
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
   *
   * With `workers` (or `WORKERS`) above 1, this process becomes the primary of a `node:cluster`:
   * it boots nothing itself, runs the program once more per worker, hands each worker its
   * configuration (so a password generated here is every worker's), and resolves once all listen.
   * In a worker, `run()` boots with the primary's configuration. See `RunOptions.workers`.
   */
  async run(options: RunOptions = {}): Promise<void> {
    this.#gate?.hold();
    if (isWorkerProcess()) return this.#runAsWorker(options);
    let workers: number;
    try {
      workers = workerCount(options.workers, this.#env);
      if (workers > 1) {
        if (this.#environmentProblem) throw this.#environmentProblem;
        listenAddress(options, this.#env); // a bad PORT or HOST is said once, here, not by every worker
      }
    } catch (error) {
      return this.#exitAfterFailedBoot(error);
    }
    if (workers > 1) return this.#runAsPrimary(workers);
    let address: StartedAddress;
    try {
      address = await this.start(options);
    } catch (error) {
      return this.#exitAfterFailedBoot(error);
    }
    this.#logger.info(`pico-boot: listening on ${address.url}`, { event: "boot.listening", url: address.url });
    if (address.metricsUrl) this.#logger.info(`pico-boot: metrics on ${address.metricsUrl}/metrics`, { event: "boot.metrics_listening", url: `${address.metricsUrl}/metrics` });
    this.#gate?.release();
    stopOnSignals(this, this.#logger);
    // Everything the boot compiled goes to the compile cache now (when the entry enabled it), so the
    // next start reads it even if this process is killed rather than stopped.
    flushCompileCache();
  }

  async #runAsPrimary(workers: number): Promise<void> {
    if (this.#stopping) return this.#exitAfterFailedBoot(new ApplicationStoppedError());
    let config: Record<string, unknown>;
    try {
      // The JSON round trip is what each worker gets: undefined values and functions do not travel.
      config = JSON.parse(JSON.stringify(this.#options.config ?? {})) as Record<string, unknown>;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return this.#exitAfterFailedBoot(new InvalidOptionsError(`Application: "config" must be JSON to reach the workers (WORKERS, run({ workers })): ${reason}`));
    }
    this.#supervisor = new WorkerSupervisor({ count: workers, configuration: { config, env: this.#env }, logger: this.#logger });
    // Before the first fork, not once all listen: a signal while the workers boot (systemd's stop,
    // Ctrl-C) must stop them through the supervisor, not kill the primary with Node's default action
    // and leave each worker to fail on its closed channel to the primary.
    stopOnSignals(this, this.#logger);
    const url = await this.#supervisor.start();
    this.#logger.info(`pico-boot: listening on ${url} with ${workers} workers`, { event: "boot.listening", url, workers });
    this.#gate?.release();
  }

  async #runAsWorker(options: RunOptions): Promise<void> {
    let stopRequested = false;
    let listening = false;
    onStopRequest(() => {
      stopRequested = true;
      if (listening) shutDownRunning("the primary asked this worker to stop", { event: "workers.stop_requested" });
    });
    const { config, env } = await configurationFromPrimary();
    this.#options = { ...this.#options, config };
    this.#env = env;
    let address: StartedAddress;
    try {
      address = await this.start(options);
    } catch (error) {
      if (stopRequested) process.exit(0); // the primary is ending anyway: nothing to report
      return this.#exitAfterFailedBoot(error);
    }
    this.#gate?.release();
    this.#logger.debug(`pico-boot: worker listening on ${address.url}`, { event: "workers.listening", url: address.url });
    stopOnSignals(this, this.#logger);
    flushCompileCache();
    listening = true;
    await tellPrimary({ picoBoot: "listening", url: address.url });
    if (stopRequested) shutDownRunning("the primary asked this worker to stop", { event: "workers.stop_requested" });
  }

  async #exitAfterFailedBoot(error: unknown): Promise<never> {
    const debug = this.#env.LOG_LEVEL?.trim().toLowerCase() === "debug";
    // At debug, what the boot logged may tell why it failed; otherwise it is noise before the error,
    // and so is what stop() logs (destroy hooks): the gate stays shut, and the process exits.
    if (debug) this.#gate?.release();
    await this.stop().catch(() => undefined);
    const text = describeBootFailure(error, debug);
    // A worker's primary prints it, once for all the workers that fail alike.
    const told = isWorkerProcess() && (await tellPrimary({ picoBoot: "boot-failed", text }));
    if (!told) process.stderr.write(text);
    process.exit(1);
  }

  async #boot(): Promise<Booted> {
    const options = this.#options;
    const app = findAppPackage(options.root);
    const autoPlugins = options.autoPlugins ?? autoPluginsEnabled(this.#env.PICO_BOOT_AUTO_PLUGINS);
    const modules = await loadModules(app, options.moduleNames ?? [], autoPlugins, this.#logger);
    // WebSettings is always there, so the `web` config section is always valid; ClientAddresses reads
    // its trusted proxies for every module's per-client limits.
    const components = [...new Set([WebSettings, ClientAddresses, ...modules.components, ...(options.components ?? [])])];
    const web = earlyWebSettings(options.config ?? {}, this.#env);
    // prom-client is loaded only when metrics are on; off, METRICS counts nothing and costs nothing.
    const metrics: PromMetrics | undefined = web?.metrics ? new (await import("./metrics/prom-metrics.js")).PromMetrics() : undefined;
    const container = await PicoContainer.create({
      components,
      config: options.config ?? {},
      env: this.#env,
      overrides: [{ provide: LOGGER, useValue: this.#logger }, { provide: METRICS, useValue: metrics ?? noMetrics }, ...(options.overrides ?? [])],
    });
    try {
      const controllers = components.filter((c) => getControllerDefinition(c) !== undefined);
      const { hono, routes } = buildWebApp(container, controllers, this.#logger, { accessLog: !isQuieterThanInfo(this.#logger), ...(metrics ? { metrics } : {}) });
      const metricsPort = container.get(WebSettings).metricsPort;
      const metricsListener = metrics && metricsPort !== 0 ? { hono: metricsOnlyApp(metrics, this.#logger), port: metricsPort } : undefined;
      return metricsListener ? { container, hono, routes, metricsListener } : { container, hono, routes };
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

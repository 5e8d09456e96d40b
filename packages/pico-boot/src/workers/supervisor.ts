import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import type { Logger } from "pico-ioc";
import { isWorkerMessage } from "./messages.js";
import type { WorkerMessage } from "./messages.js";
import { RestartBudget } from "./restart-budget.js";
import { WORKERS_ENV } from "./role.js";
import type { SharedConfiguration } from "./worker.js";

export interface SupervisorOptions {
  readonly count: number;
  /** Handed to every worker, replacements included: the configuration is built once, here. */
  readonly configuration: SharedConfiguration;
  readonly logger: Logger;
  readonly budget?: RestartBudget;
}

/**
 * The primary of `run({ workers })`: forks the workers (the same script, argv and execArgv: the
 * cluster's defaults), hands each the configuration, replaces a worker that dies, and stops them all
 * on `stop()`. It never boots the application itself. A worker that cannot boot at startup ends the
 * program (exit 1, its problem printed once): every worker has the same configuration, so another
 * would fail the same way. Once serving, a replacement that cannot boot (a database down at that
 * moment) counts as one more death: retried with backoff, until the restart budget is spent.
 */
export class WorkerSupervisor {
  readonly #options: SupervisorOptions;
  readonly #budget: RestartBudget;
  readonly #live = new Set<Worker>();
  readonly #listening = new Set<Worker>();
  #url: string | undefined;
  #startupDone = false;
  #onStarted: ((url: string) => void) | undefined;
  #ending: "stopping" | "failed" | undefined;
  #stopped: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | undefined;
  readonly #failures: string[] = [];

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#budget = options.budget ?? new RestartBudget();
  }

  /** Forks the workers; resolves with the URL once every one listens. A failed boot exits the process (1). */
  start(): Promise<string> {
    return new Promise((resolve) => {
      this.#onStarted = resolve;
      for (let i = 0; i < this.#options.count; i++) this.#fork();
    });
  }

  /**
   * Asks every worker to stop gracefully (in-flight requests finish, onDestroy hooks run) and
   * resolves once all have exited; rejects, naming them, when any exited otherwise than with 0.
   */
  stop(): Promise<void> {
    if (this.#stopped) return this.#stopped.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    this.#stopped = { promise, resolve, reject };
    this.#ending ??= "stopping";
    this.#stopAll();
    this.#settleIfAllExited();
    return promise;
  }

  #fork(): void {
    const worker = cluster.fork({ [WORKERS_ENV]: String(this.#options.count) });
    this.#live.add(worker);
    worker.on("message", (message: unknown) => this.#onMessage(worker, message));
    worker.on("exit", (code: number | null, signal: NodeJS.Signals | null) => this.#onExit(worker, code, signal));
  }

  #send(worker: Worker, message: WorkerMessage): void {
    // A worker may exit between our decision and the send: its exit is handled on its own.
    if (worker.isConnected()) worker.send(message, undefined, () => {});
  }

  #onMessage(worker: Worker, message: unknown): void {
    if (isWorkerMessage(message, "configuration?")) {
      const { config, env } = this.#options.configuration;
      this.#send(worker, { picoBoot: "configuration", config, env });
      // Asked after stop(): the stop sent then reached a worker still loading, before its run() listened
      // for it, and was lost. Said again now that it listens (it boots, then stops at once).
      if (this.#ending) this.#send(worker, { picoBoot: "stop" });
    } else if (isWorkerMessage(message, "listening")) {
      this.#onListening(worker, message.url);
    } else if (isWorkerMessage(message, "boot-failed")) {
      if (!this.#startupDone) return this.#fail(message.text);
      // Its exit follows, and is handled as a death; say why it died first.
      const problems = message.text.replace(/^pico-boot: cannot start: /gm, "").trim().split("\n").join("; ");
      this.#options.logger.error(`pico-boot: worker ${worker.process.pid} cannot start: ${problems}`, { event: "workers.boot_failed", workerPid: worker.process.pid });
    }
  }

  #onListening(worker: Worker, url: string): void {
    if (this.#ending) return;
    this.#listening.add(worker);
    this.#url ??= url;
    if (this.#startupDone) {
      this.#options.logger.info(`pico-boot: worker ${worker.process.pid} listening, in place of one that died`, { event: "workers.replaced", workerPid: worker.process.pid });
    } else if (this.#listening.size === this.#options.count) {
      this.#startupDone = true;
      this.#onStarted?.(this.#url);
    }
  }

  #onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    const listened = this.#listening.delete(worker);
    this.#live.delete(worker);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (this.#ending) {
      // A worker that never listened served nothing: killed by the signal that stops us all (sent to
      // the whole process group while it was still booting, before its own handlers), it lost nothing.
      const stoppedBooting = !listened && (signal === "SIGTERM" || signal === "SIGINT");
      if (code !== 0 && !stoppedBooting) this.#failures.push(`worker ${worker.process.pid} (${how})`);
      this.#settleIfAllExited();
    } else if (!listened && !this.#startupDone) {
      // It told nothing (a crash while importing, a process.exit before run()): say what is known.
      this.#fail(`pico-boot: cannot start: a worker exited (${how}) before listening\n`);
    } else {
      this.#replace(worker, code, signal, how);
    }
  }

  #replace(worker: Worker, code: number | null, signal: NodeJS.Signals | null, how: string): void {
    const { logger } = this.#options;
    const fields = { event: "workers.died", workerPid: worker.process.pid, code, signal };
    const delayMs = this.#budget.onDeath(Date.now());
    if (delayMs === undefined) {
      logger.error(`pico-boot: worker ${worker.process.pid} died (${how}): more than ${this.#budget.maxRestarts} workers died within ${this.#budget.windowMs / 1000} s, stopping instead of replacing it`, { ...fields, event: "workers.crash_loop" });
      this.#fail();
      return;
    }
    logger.error(`pico-boot: worker ${worker.process.pid} died (${how}); starting another in ${delayMs} ms`, fields);
    // Not unref'd: with every worker dead, this timer is what keeps the primary alive.
    setTimeout(() => {
      if (!this.#ending) this.#fork();
    }, delayMs);
  }

  /** Ends the program with 1: prints `text` (once), stops the other workers, exits when all have. */
  #fail(text?: string): void {
    if (this.#ending) return;
    this.#ending = "failed";
    if (text) process.stderr.write(text);
    this.#stopAll();
    this.#settleIfAllExited();
  }

  #stopAll(): void {
    for (const worker of this.#live) this.#send(worker, { picoBoot: "stop" });
  }

  #settleIfAllExited(): void {
    if (this.#live.size > 0) return;
    if (this.#ending === "failed") process.exit(1);
    if (this.#failures.length === 0) this.#stopped?.resolve();
    else this.#stopped?.reject(new Error(`${this.#failures.join(", ")} did not stop cleanly`));
  }
}

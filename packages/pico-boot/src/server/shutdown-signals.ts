import type { Logger } from "pico-ioc";

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * One process-wide SIGINT/SIGTERM handler for every `run()` application: a signal stops them all,
 * and the process exits once all have stopped (0, or 1 if any shutdown failed). A second signal
 * during shutdown exits at once with 1. Apps stopped programmatically leave the set; with none left
 * the handlers are removed, so Node's default signal behaviour returns.
 */
const running = new Map<Stoppable, Logger>();
let shuttingDown = false;
/** Whether a signal has come: a second one exits at once, a stop asked otherwise (by a worker's primary) does not count. */
let signalled = false;
/** Who says what the shutdown does: the first application's logger, kept (stopped apps leave `running`). */
let shutdownLogger: Logger | undefined;

export function stopOnSignals(app: Stoppable, logger: Logger): void {
  if (running.size === 0) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  running.set(app, logger);
}

export function forgetOnSignals(app: Stoppable): void {
  if (!running.delete(app) || running.size > 0 || shuttingDown) return;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  const again = signalled;
  signalled = true;
  if (!shuttingDown) return shutDownRunning(`${signal} received`, { event: "boot.signal", signal });
  // A worker asked by its primary to stop also gets the terminal's Ctrl-C (or systemd's SIGTERM to
  // the whole group): that is its first signal, not an impatient second one.
  if (!again) return;
  shutdownLogger?.warn(`pico-boot: ${signal} again, exiting without waiting`, { event: "boot.signal", signal });
  process.exit(1);
}

/**
 * What a first signal does, for another reason (a worker asked by its primary to stop): stops every
 * `run()` application, then exits 0 (1 if a shutdown failed). Does nothing when already shutting down.
 */
export function shutDownRunning(reason: string, fields: Record<string, unknown> = { event: "boot.stop_requested" }): void {
  if (shuttingDown || running.size === 0) return;
  shuttingDown = true;
  // The reason is the process's, not one application's: said once, through the first one's logger.
  const logger = running.values().next().value as Logger;
  shutdownLogger = logger;
  logger.info(`pico-boot: ${reason}, shutting down`, fields);
  const apps = [...running];
  void Promise.allSettled(apps.map(([app]) => app.stop())).then((results) => {
    results.forEach((result, i) => {
      if (result.status === "rejected") apps[i]?.[1].error("pico-boot: shutdown failed", { event: "boot.shutdown_failed", err: result.reason });
    });
    process.exit(results.every((r) => r.status === "fulfilled") ? 0 : 1);
  });
}

import cluster from "node:cluster";

/**
 * Set by the primary in each worker's environment: the number of workers `run()` started. Other
 * packages read it to refuse what cannot be shared between workers (pico-server-auth: `store: memory`).
 */
export const WORKERS_ENV = "PICO_BOOT_WORKERS";

/** Whether this process is a worker that `app.run({ workers })` forked (not any cluster worker). */
export function isWorkerProcess(): boolean {
  return cluster.isWorker && process.env[WORKERS_ENV] !== undefined;
}

/**
 * Whether this process is the one a program's announcements belong to: the primary when
 * `app.run({ workers })` runs several processes, the only process otherwise. A worker runs the
 * program's main too; what should be said once (a generated admin password) is said where this is true.
 *
 * @example
 *   await app.run({ workers: 0 });
 *   if (isPrimaryProcess()) process.stderr.write(`Admin password: ${generated}\n`);
 */
export function isPrimaryProcess(): boolean {
  return !isWorkerProcess();
}

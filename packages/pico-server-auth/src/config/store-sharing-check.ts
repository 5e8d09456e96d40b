import cluster from "node:cluster";
import { ServerAuthConfigurationError } from "../errors.js";

/**
 * Set by pico-boot in the environment of each worker of `app.run({ workers })`: how many there are.
 * Read here only for the message; what counts is being a cluster worker.
 */
const WORKERS_ENV = "PICO_BOOT_WORKERS";

/** Whether this process is one of several sharing a port (a `node:cluster` worker), and of how many when pico-boot says. */
export interface ProcessRole {
  readonly clusterWorker: boolean;
  readonly workers?: string | undefined;
}

export const processRole = (): ProcessRole => ({ clusterWorker: cluster.isWorker, workers: process.env[WORKERS_ENV] });

/**
 * `store: memory` keeps signing keys, sessions and the admin in one process: in a cluster worker
 * (pico-boot's `run({ workers })`, or any node:cluster), each sibling would sign with keys of its own
 * and forget the others' sessions, so a token would work on one request in N. Refused at boot.
 */
export function checkStoreSharing(store: string, role: ProcessRole = processRole()): void {
  if (store !== "memory" || !role.clusterWorker) return;
  const how = role.workers ? `one of ${role.workers} workers (WORKERS, or run({ workers }))` : "a cluster worker";
  throw new ServerAuthConfigurationError(
    `server_auth.store = memory cannot be shared between processes, and this process is ${how}: each would keep its own signing keys, sessions and admin. ` +
      "Use store: sqlite (the default; workers share data_dir) or postgres, or run one process (WORKERS=1)",
  );
}

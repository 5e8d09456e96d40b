import type { Env } from "pico-ioc";

/**
 * What the primary and its workers say over the cluster's IPC channel (JSON). Every message carries
 * `picoBoot`, so the application's own messages on the same channel are left alone.
 */
export type WorkerMessage =
  /** worker → primary: ready for the configuration (asked for, so none is sent before anyone listens). */
  | { readonly picoBoot: "configuration?" }
  /** primary → worker: the primary's configuration tree and environment, used instead of the worker's own. */
  | { readonly picoBoot: "configuration"; readonly config: Record<string, unknown>; readonly env: Env }
  /** worker → primary: listening on `url`. */
  | { readonly picoBoot: "listening"; readonly url: string }
  /** worker → primary: the boot failed; `text` is what `run()` would print (one line per problem). */
  | { readonly picoBoot: "boot-failed"; readonly text: string }
  /** primary → worker: stop gracefully (in-flight requests finish, onDestroy hooks run), then exit. */
  | { readonly picoBoot: "stop" };

export type WorkerMessageType = WorkerMessage["picoBoot"];

export function isWorkerMessage<T extends WorkerMessageType>(message: unknown, type: T): message is Extract<WorkerMessage, { picoBoot: T }> {
  return typeof message === "object" && message !== null && (message as { picoBoot?: unknown }).picoBoot === type;
}

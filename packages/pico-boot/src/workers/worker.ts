import type { Env } from "pico-ioc";
import { isWorkerMessage } from "./messages.js";
import type { WorkerMessage } from "./messages.js";

export interface SharedConfiguration {
  readonly config: Record<string, unknown>;
  readonly env: Env;
}

/**
 * Sends a message to the primary; resolves once it is written (so that an exit right after does not
 * lose it) with true, or with false when the primary is gone.
 */
export function tellPrimary(message: WorkerMessage): Promise<boolean> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve(false);
    process.send(message, undefined, {}, (error) => resolve(error === null || error === undefined));
  });
}

/**
 * Asks the primary for its configuration and waits for it. Asked rather than pushed: the worker's
 * program may take a while to reach `run()`, and a message sent before anyone listens is lost.
 */
export function configurationFromPrimary(): Promise<SharedConfiguration> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isWorkerMessage(message, "configuration")) return;
      process.off("message", onMessage);
      resolve({ config: message.config, env: message.env });
    };
    process.on("message", onMessage);
    void tellPrimary({ picoBoot: "configuration?" });
  });
}

/** Calls `handler` (once) when the primary asks this worker to stop. */
export function onStopRequest(handler: () => void): void {
  const onMessage = (message: unknown) => {
    if (!isWorkerMessage(message, "stop")) return;
    process.off("message", onMessage);
    handler();
  };
  process.on("message", onMessage);
}

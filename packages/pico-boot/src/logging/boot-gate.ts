import { writeSync } from "node:fs";
import type { LogDestination } from "./create-logger.js";

/**
 * Holds log lines while `run()` boots: nothing is printed before the server listens. Once it
 * listens the lines go out in order (with their own times); when the boot fails the gate is never
 * released (the process exits), except at debug, where the lines help find out why. Held lines are written synchronously when
 * released, so that what the program prints next (the seed app's password) comes after them.
 */
export class BootGate implements LogDestination {
  readonly #output: LogDestination;
  #held: string[] | undefined;

  constructor(output: LogDestination) {
    this.#output = output;
  }

  /** `write` of the output, or straight to its file descriptor when it writes asynchronously (pino's stdout destination). */
  #writeNow(line: string): void {
    const { fd, sync } = this.#output as { fd?: unknown; sync?: unknown };
    if (sync === false && typeof fd === "number") {
      try {
        writeSync(fd, line);
        return;
      } catch {
        // A full non-blocking pipe (EAGAIN): let the output queue it.
      }
    }
    this.#output.write(line);
  }

  write(line: string): void {
    if (this.#held) this.#held.push(line);
    else this.#output.write(line);
  }

  hold(): void {
    this.#held ??= [];
  }

  /** Writes what was held and lets every later line through. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const line of held) this.#writeNow(line);
  }
}

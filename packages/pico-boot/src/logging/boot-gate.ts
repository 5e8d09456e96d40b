import type { LogDestination } from "./create-logger.js";

/**
 * Holds log lines while `run()` boots: nothing is printed before the server listens. Once it
 * listens the lines go out in order (with their own times); when the boot fails they are dropped,
 * except at debug, where they help find out why.
 */
export class BootGate implements LogDestination {
  readonly #output: LogDestination;
  #held: string[] | undefined;

  constructor(output: LogDestination) {
    this.#output = output;
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
    for (const line of held) this.#output.write(line);
  }

  /** Forgets what was held and lets every later line through. */
  discard(): void {
    this.#held = undefined;
  }
}

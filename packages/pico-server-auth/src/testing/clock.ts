/** How a contract suite moves time: a fake clock when the implementation has one, else real waiting. */
export interface ContractClock {
  /** Moves the implementation's clock forward by `ms`. Without it the suite waits `ms` in real time (windows and TTLs are then short). */
  readonly advance?: (ms: number) => void;
}

export function passTime(clock: ContractClock, ms: number): Promise<void> {
  if (clock.advance) {
    clock.advance(ms);
    return Promise.resolve();
  }
  return new Promise((resolve) => setTimeout(resolve, ms));
}

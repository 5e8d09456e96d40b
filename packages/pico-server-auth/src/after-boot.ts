/**
 * How long after init background work waits: boot is over by then. Work started during boot takes
 * the core from module loading and the first requests (argon2 runs on a libuv thread, a module is
 * compiled on the main one), and a pinned or one-core server has nothing else to run it on.
 */
export const AFTER_BOOT_MS = 1000;

/** Runs `work` once boot is over, without keeping the process alive for it; clear the timer to cancel. */
export function afterBoot(work: () => void): NodeJS.Timeout {
  return setTimeout(work, AFTER_BOOT_MS).unref();
}

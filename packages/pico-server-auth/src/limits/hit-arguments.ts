/** Keys longer than this are a caller's bug: callers hash what could be long (see limit-key.ts). */
export const MAX_LIMIT_KEY_LENGTH = 200;

/**
 * Checks the arguments of RateLimitStore.hit at the boundary, naming the parameter, so that every
 * implementation refuses the same mistakes (a window of NaN would otherwise never end, or end at once).
 */
export function checkHitArguments(key: string, windowMs: number, amount: number): void {
  checkLimitKey(key);
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) throw new TypeError(`"windowMs" expected a positive integer of milliseconds, got ${String(windowMs)}`);
  if (!Number.isSafeInteger(amount)) throw new TypeError(`"amount" expected an integer, got ${String(amount)}`);
}

export function checkLimitKey(key: string): void {
  if (typeof key !== "string" || key === "" || key.length > MAX_LIMIT_KEY_LENGTH) {
    throw new TypeError(`"key" expected a string of 1 to ${MAX_LIMIT_KEY_LENGTH} characters, got ${typeof key === "string" ? `length=${key.length}` : typeof key}`);
  }
}

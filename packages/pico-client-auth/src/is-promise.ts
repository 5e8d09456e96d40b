/** Whether a value that may come synchronously came as a promise (the hot paths avoid awaiting what is at hand). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

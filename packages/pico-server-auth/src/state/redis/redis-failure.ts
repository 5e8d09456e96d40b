import { ErrorReply, TimeoutError, TimeoutReadError } from "@redis/client";
import { StoreUnavailableError } from "../../errors.js";

/**
 * A failed Redis call as the 503 the port promises. The reason is a few fixed words (it reaches the
 * client's detail): never the URL, host or the command's arguments; the client's own error stays in
 * `cause`, for the logs.
 */
export function redisUnavailable(error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(redisFailureReason(error), { cause: error });
}

export function redisFailureReason(error: unknown): string {
  if (error instanceof TimeoutError || error instanceof TimeoutReadError) return "Redis did not answer in time";
  // An error reply starts with its code (OOM, READONLY, LOADING, MISCONF, NOPERM, ...); the rest may quote arguments.
  if (error instanceof ErrorReply) return `Redis refused the command (${/^[A-Z]{2,20}\b/.exec(error.message)?.[0] ?? "ERR"})`;
  // Offline, closed, refused, reset, socket timeout: whatever the words, the server cannot be reached.
  return "Redis is unreachable";
}

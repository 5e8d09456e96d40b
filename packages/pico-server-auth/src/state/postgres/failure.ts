import { StoreUnavailableError } from "../../errors.js";

/**
 * SQLSTATEs that mean "the database cannot serve now", not "this call is wrong", with the words of
 * the 503 detail. By class (first two characters) unless a full code is listed.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const UNAVAILABLE_CLASSES: Readonly<Record<string, string>> = {
  "08": "database connection failed",
  "53": "database out of resources",
  "58": "database system error",
  XX: "database internal error",
};
const UNAVAILABLE_CODES: Readonly<Record<string, string>> = {
  "57P01": "database restarting", // admin_shutdown: a fast shutdown, or pg_terminate_backend
  "57P02": "database restarting", // crash_shutdown
  "57P03": "database starting", // cannot_connect_now
  "57P05": "database connection idle too long",
  "57014": "database timed out", // query_canceled: statement_timeout
  "55P03": "database timed out", // lock_not_available: lock_timeout
  "25006": "database read-only", // a standby after a failover
  "40001": "database busy", // serialization_failure, after the retries
  "40P01": "database busy", // deadlock_detected, after the retries
};

/** Node's socket errors, and pg's own messages for a connection that broke or timed out. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);
const PG_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/timeout/i, "database timed out"],
  [/Connection terminated|not queryable|Client was closed/i, "database connection lost"],
];

/**
 * Whether the connection that raised `error` must not serve another call: it broke, or timed out on
 * the client side (its statement may still be running). An error the server answered with (a
 * constraint, a deadlock, a statement timeout) leaves the connection usable.
 */
export function breaksConnection(error: unknown): boolean {
  const code = sqlState(error);
  if (code === undefined) return unavailableReason(error) !== undefined;
  return code.startsWith("08") || code.startsWith("57P");
}

/** SQLSTATEs after which the whole transaction may simply run again. */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code === "40001" || code === "40P01";
}

/** The reason `error` makes the store unavailable, or undefined for any other error (a caller's bug stays one). */
export function unavailableReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = sqlState(error);
  if (code !== undefined) return UNAVAILABLE_CODES[code] ?? UNAVAILABLE_CLASSES[code.slice(0, 2)];
  const errno = (error as { code?: unknown }).code;
  if (typeof errno === "string" && NETWORK_CODES.has(errno)) return "database unreachable";
  if (error instanceof AggregateError && error.errors.some((e) => unavailableReason(e) !== undefined)) return "database unreachable";
  return PG_MESSAGES.find(([pattern]) => pattern.test(error.message))?.[1];
}

/**
 * `error` as a StoreUnavailableError when the database could not serve, else unchanged. `connecting`:
 * the error came from opening a connection, where anything (a refused socket, a wrong password, a
 * database that refuses connections) means the store cannot answer.
 */
export function asPostgresFailure(error: unknown, connecting = false): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const reason = unavailableReason(error) ?? (connecting ? "database connection failed" : undefined);
  return reason === undefined ? error : new StoreUnavailableError(reason, { cause: error });
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  // pg's DatabaseError carries the five-character SQLSTATE; Node's errors carry "E..." codes.
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("E") ? code : undefined;
}

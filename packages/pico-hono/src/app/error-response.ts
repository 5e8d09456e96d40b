import type { Context } from "hono";
import { HTTPException as HonoHTTPException } from "hono/http-exception";
import type { Logger } from "pico-ioc";
import { HTTPException, defaultReason } from "../errors.js";
import { routeTemplate } from "./access-log.js";
import { clientAborted } from "./client-abort.js";
import { requestId } from "./request-id.js";

/**
 * The one place where errors become responses, always `{"detail": ...}`:
 * - our `HTTPException` → its status, detail, headers and `responseFields`;
 * - Hono's `HTTPException` (thrown by Hono middleware) → its status and message;
 * - any error that says `expose: true` and has an integer `status` from 400 to 599 (the pico
 *   packages' client errors, request validation included) → that status, the error's `detail` if it
 *   has one, else its message, and its `headers`. A `status` alone is not enough: third-party client
 *   errors (HTTP SDKs) carry one, and their messages can hold secrets. Its string `responseFields`
 *   join the body after `detail` (`{"detail", "error", "error_description"}` for OAuth), never
 *   replacing it;
 * - a client that closed the connection mid-body → 400, logged by nobody here (the access log
 *   makes it one debug line): it is no server error, and no one reads the answer;
 * - anything else → 500 `Internal Server Error`, with the stack logged (under the route template,
 *   never the path) and never sent.
 */
export function errorResponse(error: unknown, c: Context, logger: Logger): Response {
  if (error instanceof HTTPException) {
    return c.json(bodyOf(error.detail, error), error.status as never, error.headers);
  }
  if (error instanceof HonoHTTPException) {
    // A middleware that built its own response (with its headers) keeps it.
    if (error.res) return error.getResponse();
    return c.json({ detail: error.message || defaultReason(error.status) }, error.status);
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number" && Number.isInteger(status) && status >= 400 && status < 600 && (error as { expose?: unknown }).expose === true) {
    const detail = (error as { detail?: unknown }).detail ?? ((error as Error).message || defaultReason(status));
    return c.json(bodyOf(detail, error), status as never, stringEntries((error as { headers?: unknown }).headers));
  }
  if (clientAborted(c)) return c.json({ detail: "Request body incomplete: the connection closed before its end" }, 400);
  // The route template, as in the access log: the path may carry a secret, and is decoded (a %0A
  // in it would be a new line, %1B a terminal escape).
  logger.error(`Unhandled error in ${c.req.method} ${routeTemplate(c) ?? "(no route)"}`, { event: "http.unhandled_error", err: error, request_id: requestId(c) });
  return c.json({ detail: "Internal Server Error" }, 500);
}

function bodyOf(detail: unknown, error: unknown): Record<string, unknown> {
  const fields = stringEntries((error as { responseFields?: unknown }).responseFields);
  if (fields) delete fields.detail;
  return { detail, ...fields };
}

/** The string-valued entries of an object an error carries (headers, body fields); anything else is dropped. */
function stringEntries(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== "object") return undefined;
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** Stable codes for pico-hono errors. */
export type PicoHonoErrorCode = "HTTP_ERROR" | "NO_CONTROLLERS" | "ROUTE_CONFLICT" | "VALIDATION_FAILED" | "RESPONSE_INVALID" | "INVALID_WEB_SETTING";

/**
 * Base class of pico-hono errors; `status` is the HTTP status it maps to. `expose` says whether the
 * message is written for clients: true for 4xx, false for 5xx (a server bug's text stays in the logs).
 */
export class PicoHonoError extends Error {
  readonly code: PicoHonoErrorCode;
  readonly status: number;
  readonly expose: boolean;

  constructor(code: PicoHonoErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.expose = status < 500;
  }
}

/**
 * String fields an exposed error adds to its response body next to `detail`: OAuth errors carry
 * `error` and `error_description` (RFC 6749 §5.2). A `detail` here is ignored: the detail is the
 * error's own. pico-hono reads it from any error with `expose: true` as `responseFields`.
 */
export type ResponseFields = Readonly<Record<string, string>>;

/**
 * Throw from a handler to answer `status` with `{"detail": detail}`. The detail may be any JSON
 * value (a string, or a list of validation problems); `headers` are added to the response and
 * `responseFields` to its body.
 */
export class HTTPException extends PicoHonoError {
  readonly detail: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly responseFields: ResponseFields;

  constructor(status: number, detail?: unknown, options?: { headers?: Record<string, string>; responseFields?: ResponseFields; cause?: unknown }) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HTTPException: "status" expected an integer from 400 to 599, got ${status}`);
    }
    const resolvedDetail = detail ?? defaultReason(status);
    super("HTTP_ERROR", status, typeof resolvedDetail === "string" ? resolvedDetail : `HTTP ${status}`, { cause: options?.cause });
    // Thrown on purpose, with a detail chosen for the client: shown even for 5xx (a 503, say).
    (this as { expose: boolean }).expose = true;
    this.detail = resolvedDetail;
    this.headers = options?.headers ?? {};
    this.responseFields = options?.responseFields ?? {};
  }
}

/** No module contributed a controller: almost always a missing module name or a missing decorator. */
export class NoControllersError extends PicoHonoError {
  constructor() {
    super(
      "NO_CONTROLLERS",
      500,
      "No controllers were registered. Check that (1) the module exporting them is listed in moduleNames, (2) the classes carry @controller() and are exported from the package entry, (3) no import failed.",
    );
  }
}

/** Two routes with the same method and path. */
export class RouteConflictError extends PicoHonoError {
  constructor(method: string, path: string, first: string, second: string) {
    super("ROUTE_CONFLICT", 500, `${method} ${path} is declared twice: by ${first} and by ${second}`);
  }
}

/** A `web` setting whose value has the right type but cannot be used (found when the app is built). */
export class InvalidWebSettingError extends PicoHonoError {
  constructor(message: string) {
    super("INVALID_WEB_SETTING", 500, message);
  }
}

const REASONS: Record<number, string> = {
  204: "No Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function defaultReason(status: number): string {
  return REASONS[status] ?? (status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Success");
}

export type ServerAuthErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "KEY_UNKNOWN" | "KEY_ACTIVE" | "RATE_LIMITED" | "LOGIN_BUSY" | "CONFLICT" | "AUTH_SERVER_CONFIGURATION";

/**
 * Base class of pico-server-auth errors. 4xx ones carry upstream's `detail` strings as their message
 * and are sent as `{"detail": ...}` by pico-hono; the configuration error fails boot.
 */
export class ServerAuthError extends Error {
  readonly code: ServerAuthErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ServerAuthErrorCode, status: number, message: string, headers: Record<string, string> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.expose = status < 500;
    this.headers = headers;
  }
}

export const badRequest = (detail: string): ServerAuthError => new ServerAuthError("BAD_REQUEST", 400, detail);
export const unauthorized = (detail: string, headers: Record<string, string> = {}): ServerAuthError => new ServerAuthError("UNAUTHORIZED", 401, detail, headers);
export const forbidden = (detail: string): ServerAuthError => new ServerAuthError("FORBIDDEN", 403, detail);
export const notFound = (detail: string): ServerAuthError => new ServerAuthError("NOT_FOUND", 404, detail);
export const rateLimited = (retryAfterSeconds: number, detail = "too many failed attempts; try again later"): ServerAuthError =>
  new ServerAuthError("RATE_LIMITED", 429, detail, { "Retry-After": String(retryAfterSeconds) });

export class ServerAuthConfigurationError extends ServerAuthError {
  constructor(message: string) {
    super("AUTH_SERVER_CONFIGURATION", 500, message);
  }
}

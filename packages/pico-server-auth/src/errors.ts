export type ServerAuthErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "KEY_UNKNOWN" | "KEY_ACTIVE" | "RATE_LIMITED" | "LOGIN_BUSY" | "CONFLICT" | "AUTH_SERVER_CONFIGURATION" | "STORE_UNAVAILABLE" | "STORE_LOST" | "KEY_ENCRYPTION_MISMATCH" | "KEY_MATERIAL_DAMAGED" | "OAUTH_ERROR";

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

/**
 * Why a sign-in (wallet or password) did not end in tokens, in a few fixed words: the `reason` label of
 * `pico_auth_sign_in_failures_total` and the field of `auth.login_failed`. Never free text (label
 * cardinality stays bounded, and nothing a client typed reaches a label).
 * - client side: `bad_request` (malformed body), `invalid_challenge` (unknown, expired, used, another
 *   address's, a move's, issued for another algorithm), `message_mismatch` (the message sent is not the
 *   one issued), `bad_signature`, `not_holder` (the key does not own or hold the address),
 *   `invalid_credentials` (admin email or password), `disabled` (password login off), `throttled`;
 * - server side: `busy` (too many logins waiting), `store_unavailable`, `error` (anything else).
 */
export type SignInFailureReason =
  | "bad_request"
  | "invalid_challenge"
  | "message_mismatch"
  | "bad_signature"
  | "not_holder"
  | "invalid_credentials"
  | "disabled"
  | "throttled"
  | "busy"
  | "store_unavailable"
  | "error";

/** A 401 for a credential refused, saying why in `reason` (for the logs and metrics; the client reads the detail). */
export class CredentialRefusedError extends ServerAuthError {
  readonly reason: SignInFailureReason;

  constructor(reason: SignInFailureReason, detail: string, headers: Record<string, string> = {}) {
    super("UNAUTHORIZED", 401, detail, headers);
    this.reason = reason;
  }
}

export const refused = (reason: SignInFailureReason, detail: string): CredentialRefusedError => new CredentialRefusedError(reason, detail);

export class ServerAuthConfigurationError extends ServerAuthError {
  constructor(message: string) {
    super("AUTH_SERVER_CONFIGURATION", 500, message);
  }
}

/**
 * The store failed (a full disk, an I/O error, a corrupt or locked database): answered 503 with
 * `{"detail": "the auth store is unavailable: <reason>; try again later"}`, never as a server bug's 500.
 * The request did not take effect. `cause` holds the database's own error, for the logs only.
 */
export class StoreUnavailableError extends ServerAuthError {
  /** What failed, in a few words ("disk full", "disk I/O error", ...): part of the detail, so no path or SQL. */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super("STORE_UNAVAILABLE", 503, `the auth store is unavailable: ${reason}; try again later`, {}, options);
    // Written for clients: a 503 that says why is shown, as pico-hono shows an HTTPException's.
    (this as { expose: boolean }).expose = true;
    this.reason = reason;
  }
}

/**
 * Boot refused: the data dir's marker says a store lived here, but its database is missing, empty,
 * corrupt or another store's. Starting afresh would issue new signing keys and free every address,
 * so that needs `server_auth.reinitialize_store`; the message says what is wrong and how to recover.
 */
export class StoreLostError extends ServerAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE_LOST", 500, message, {}, options);
  }
}

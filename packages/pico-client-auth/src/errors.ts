export type AuthClientErrorCode =
  | "MISSING_TOKEN"
  | "TOKEN_EXPIRED"
  | "TOKEN_INVALID"
  | "TOKEN_REVOKED"
  | "INSUFFICIENT_PERMISSIONS"
  | "KEYS_UNAVAILABLE"
  | "REVOCATION_UNAVAILABLE"
  | "AUTH_CONFIGURATION";

/**
 * Base class of pico-client-auth errors. `status` and `headers` are what the response carries
 * (pico-hono's error handler sends them); `message` is the client-facing `detail`, never internals.
 */
export class AuthClientError extends Error {
  readonly code: AuthClientErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether `message` may be sent to clients; pico-hono hides other 5xx messages. */
  readonly expose: boolean;

  constructor(code: AuthClientErrorCode, status: number, message: string, headers: Record<string, string> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.headers = headers;
    this.expose = code !== "AUTH_CONFIGURATION";
  }
}

/** RFC 6750 §3: the challenge a 401/403 carries. */
function challenge(error?: string, description?: string): Record<string, string> {
  const parts = ['Bearer realm="api"'];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
  return { "WWW-Authenticate": parts.join(", ") };
}

export const missingToken = (): AuthClientError =>
  // No error code when no credentials came at all (RFC 6750 §3.1).
  new AuthClientError("MISSING_TOKEN", 401, "Missing or invalid Authorization header", challenge());

/** A route or code that needs an agent token, on a request without X-Agent-Authorization. */
export const missingAgentToken = (): AuthClientError =>
  new AuthClientError("MISSING_TOKEN", 401, "Missing or invalid X-Agent-Authorization header: an agent token is required", challenge());

/**
 * An agent token's 401 names the header it came in, so a client that sends two tokens knows which
 * one to replace; other errors (a 503 while keys are unavailable) are the same for either token.
 */
export function asAgentTokenError(error: unknown): unknown {
  if (!(error instanceof AuthClientError) || error.status !== 401 || error.code === "MISSING_TOKEN") return error;
  const detail = `X-Agent-Authorization: ${error.message}`;
  return new AuthClientError(error.code, 401, detail, challenge("invalid_token", detail), { cause: error });
}

export const tokenExpired = (): AuthClientError =>
  new AuthClientError("TOKEN_EXPIRED", 401, "Token has expired", challenge("invalid_token", "Token has expired"));

export const invalidToken = (detail: string, cause?: unknown): AuthClientError =>
  new AuthClientError("TOKEN_INVALID", 401, detail, challenge("invalid_token", detail), { cause });

export const tokenRevoked = (): AuthClientError =>
  // Only "revoked": which jti, or why, is for the logs of whoever revoked it.
  new AuthClientError("TOKEN_REVOKED", 401, "Token revoked", challenge("invalid_token", "Token revoked"));

export const insufficient = (detail: string, scope = false): AuthClientError =>
  new AuthClientError("INSUFFICIENT_PERMISSIONS", 403, detail, scope ? challenge("insufficient_scope", detail) : {});

export const keysUnavailable = (cause: unknown): AuthClientError =>
  new AuthClientError("KEYS_UNAVAILABLE", 503, "Token signing keys are unavailable; try again later", { "Retry-After": "5" }, { cause });

/**
 * The revocation list is too old and cannot be refreshed (fail-closed). A 503, not a 401: the token
 * may be fine, and telling the client it is revoked would make it drop a good session.
 * Retry-After matches the remote list's retry backoff.
 */
export const revocationUnavailable = (): AuthClientError =>
  new AuthClientError("REVOCATION_UNAVAILABLE", 503, "Token revocation list unavailable", { "Retry-After": "1" });

export class AuthConfigurationError extends AuthClientError {
  constructor(message: string) {
    super("AUTH_CONFIGURATION", 500, message);
  }
}

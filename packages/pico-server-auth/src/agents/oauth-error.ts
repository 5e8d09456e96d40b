import type { ResponseFields } from "pico-hono";
import { ServerAuthError } from "../errors.js";

/** RFC 6749 §5.2 and RFC 8693 §2.2.2 error codes the token endpoint answers with. */
export type OAuthErrorCode = "invalid_request" | "unsupported_grant_type" | "invalid_grant" | "invalid_scope" | "invalid_target";

/**
 * A refused token request: 400 with `{"detail", "error", "error_description"}`. `detail` as on every
 * route of ours, `error` and `error_description` for OAuth clients (pico-hono adds `responseFields`
 * to the body). `code` is `OAUTH_ERROR` for every one; `error` tells them apart.
 */
export class OAuthError extends ServerAuthError {
  readonly error: OAuthErrorCode;
  readonly responseFields: ResponseFields;

  constructor(error: OAuthErrorCode, description: string, options?: { cause?: unknown }) {
    super("OAUTH_ERROR", 400, description, {}, options);
    this.error = error;
    this.responseFields = { error, error_description: description };
  }
}

export const invalidRequest = (description: string): OAuthError => new OAuthError("invalid_request", description);
export const invalidGrant = (description: string): OAuthError => new OAuthError("invalid_grant", description);

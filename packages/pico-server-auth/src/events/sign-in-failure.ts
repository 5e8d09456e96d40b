import { CredentialRefusedError, ServerAuthError } from "../errors.js";
import type { SignInFailureReason } from "../errors.js";

/** The reason a sign-in failed with `error`: a refused credential says it; other errors by their code. */
export function failureReason(error: unknown): SignInFailureReason {
  if (error instanceof CredentialRefusedError) return error.reason;
  if (!(error instanceof ServerAuthError)) return "error";
  switch (error.code) {
    case "BAD_REQUEST":
      return "bad_request";
    case "FORBIDDEN":
      return "disabled";
    case "RATE_LIMITED":
      return "throttled";
    case "LOGIN_BUSY":
      return "busy";
    case "STORE_UNAVAILABLE":
      return "store_unavailable";
    default:
      return "error";
  }
}

/** The failures that are the client's doing: logged as `auth.login_failed`. The others are the server's, counted only (logged where they happen). */
export const CLIENT_FAILURES: ReadonlySet<SignInFailureReason> = new Set([
  "bad_request",
  "invalid_challenge",
  "message_mismatch",
  "bad_signature",
  "not_holder",
  "invalid_credentials",
  "disabled",
]);

/** The seconds of a 429's `Retry-After`, or undefined. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = error instanceof ServerAuthError ? error.headers["Retry-After"] : undefined;
  return value === undefined ? undefined : Number(value);
}

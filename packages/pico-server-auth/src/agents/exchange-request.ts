import { TOKEN_EXCHANGE_GRANT } from "../endpoints.js";
import { SCOPE_TOKEN } from "../config/agent-settings-check.js";
import { OAuthError, invalidRequest } from "./oauth-error.js";

/** RFC 8693 §3 token type identifiers. */
export const ACCESS_TOKEN_TYPE_URI = "urn:ietf:params:oauth:token-type:access_token";
export const JWT_TOKEN_TYPE_URI = "urn:ietf:params:oauth:token-type:jwt";
const SUBJECT_TOKEN_TYPES: readonly string[] = [ACCESS_TOKEN_TYPE_URI, JWT_TOKEN_TYPE_URI];

/** At most this many actors in an `act` chain (the new one included): each exchange nests one more. */
export const MAX_ACTOR_CHAIN = 8;
const MAX_SCOPES = 100;
/** An agent id or task id: printable ASCII without spaces, as ids in logs and claims stay readable and unambiguous. */
export const ID_PATTERN = /^[\x21-\x7e]{1,256}$/;
/** A non-negative decimal amount, as a string (upstream's `spend_limit`): no sign, exponent or leading zeros. */
export const DECIMAL_PATTERN = /^(0|[1-9][0-9]{0,29})(\.[0-9]{1,18})?$/;

/** A token-exchange request, checked: what the exchange needs, nothing unchecked. */
export interface ExchangeRequest {
  readonly subjectToken: string;
  readonly actor: string;
  /** The requested scopes, in order, each once. */
  readonly scopes: readonly string[];
  readonly audience?: string;
  readonly taskId?: string;
  readonly spendLimit?: string;
}

/**
 * Checks the parameters of a token request (RFC 8693 §2.1) and names the first one that is wrong.
 * Unknown parameters are ignored (RFC 6749 §3.2); `actor_token` is refused rather than ignored, since
 * a client sending it expects it to be verified.
 */
export function parseExchangeRequest(fields: Readonly<Record<string, string>>): ExchangeRequest {
  const field = (name: string): string | undefined => (Object.hasOwn(fields, name) ? fields[name] : undefined);
  const required = (name: string): string => {
    const value = field(name);
    if (value === undefined || value === "") throw invalidRequest(`${name} is required`);
    return value;
  };
  const grant = required("grant_type");
  if (grant !== TOKEN_EXCHANGE_GRANT) {
    throw new OAuthError("unsupported_grant_type", `grant_type expected ${JSON.stringify(TOKEN_EXCHANGE_GRANT)}, got ${quoted(grant)}`);
  }
  const subjectToken = required("subject_token");
  const subjectType = required("subject_token_type");
  if (!SUBJECT_TOKEN_TYPES.includes(subjectType)) throw invalidRequest(`subject_token_type expected one of ${SUBJECT_TOKEN_TYPES.map((t) => JSON.stringify(t)).join(", ")}, got ${quoted(subjectType)}`);
  if (field("actor_token") !== undefined || field("actor_token_type") !== undefined) {
    throw invalidRequest("actor_token is not supported: name the agent with the actor parameter (its id)");
  }
  const requested = field("requested_token_type");
  if (requested !== undefined && requested !== JWT_TOKEN_TYPE_URI) {
    throw invalidRequest(`requested_token_type expected ${JSON.stringify(JWT_TOKEN_TYPE_URI)} (agent tokens are JWTs), got ${quoted(requested)}`);
  }
  if (field("resource") !== undefined) throw new OAuthError("invalid_target", "resource is not supported: agent tokens are issued for the agent audience; name it with audience, or leave both out");
  const actor = checked(required("actor"), "actor", ID_PATTERN, "an agent id: 1 to 256 printable ASCII characters without spaces");
  const audience = field("audience");
  const taskId = optional(field("task_id"), "task_id", ID_PATTERN, "1 to 256 printable ASCII characters without spaces");
  const spendLimit = optional(field("spend_limit"), "spend_limit", DECIMAL_PATTERN, 'a non-negative decimal number as a string, such as "25.00"');
  return {
    subjectToken,
    actor,
    scopes: parseScopes(required("scope")),
    ...(audience === undefined ? {} : { audience }),
    ...(taskId === undefined ? {} : { taskId }),
    ...(spendLimit === undefined ? {} : { spendLimit }),
  };
}

function parseScopes(text: string): string[] {
  const scopes = [...new Set(text.split(" ").filter((s) => s !== ""))];
  if (scopes.length === 0) throw invalidRequest("scope is required: one or more space-separated scopes");
  if (scopes.length > MAX_SCOPES) throw invalidRequest(`scope expected at most ${MAX_SCOPES} scopes, got ${scopes.length}`);
  const bad = scopes.find((s) => !SCOPE_TOKEN.test(s));
  if (bad !== undefined) throw invalidRequest(`scope expected space-separated scopes of printable ASCII (RFC 6749 §3.3), got ${quoted(bad)}`);
  return scopes;
}

function checked(value: string, name: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value)) throw invalidRequest(`${name} expected ${expected}, got ${quoted(value)}`);
  return value;
}

function optional(value: string | undefined, name: string, pattern: RegExp, expected: string): string | undefined {
  return value === undefined ? undefined : checked(value, name, pattern, expected);
}

/** A client's value in a message: JSON-quoted (control characters escaped), cut short. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

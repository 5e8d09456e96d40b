import type { JsonSchema, RouteDocs } from "pico-hono";
import { ACCESS_TOKEN_TYPE_URI, DECIMAL_PATTERN, ID_PATTERN, JWT_TOKEN_TYPE_URI } from "./agents/exchange-request.js";
import { TOKEN_EXCHANGE_GRANT } from "./endpoints.js";
import { WALLET_ALGORITHMS } from "./wallet/algorithms.js";

/**
 * What /openapi.json says about the auth routes. The handlers keep their own checks and messages
 * (400/401 details, never 422), so these schemas are documentation only: they describe what the
 * handlers enforce, and tests hold them to the real answers.
 */

const ADDRESS: JsonSchema = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", description: "Wallet address: 1-128 letters, digits or . _ : - (starting with a letter or digit)" };
const ALGORITHM: JsonSchema = { type: "string", enum: [...WALLET_ALGORITHMS], description: "Wallet signature algorithm; only those in server_auth.supported_wallet_algorithms are accepted" };
const HEX: JsonSchema = { type: "string", pattern: "^(0[xX])?([0-9a-fA-F]{2})+$" };
const NON_EMPTY: JsonSchema = { type: "string", minLength: 1 };

/** A token response (RFC 6749 §5.1). */
const TOKENS = {
  access_token: { type: "string", description: "JWT access token (RFC 9068, typ at+jwt); send it as Authorization: Bearer" },
  refresh_token: { type: "string", description: "Opaque refresh token; works once (POST /api/v1/auth/refresh)" },
  token_type: { type: "string", const: "Bearer" },
  expires_in: { type: "integer", minimum: 0, description: "Seconds until the access token expires" },
} as const;
const TOKEN_KEYS = ["access_token", "refresh_token", "token_type", "expires_in"];

const object = (properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema => ({ type: "object", properties, required: [...required] });

/** The admin's access token, checked by the route itself (AdminBearer); the same scheme as pico-client-auth's guard. */
const ADMIN: Pick<RouteDocs, "security" | "securitySchemes"> = {
  security: [{ bearerAuth: [] }],
  securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
};

const PUBLIC: Pick<RouteDocs, "security"> = { security: [] };

const KEY_SET = (description: string): JsonSchema => ({
  type: "object",
  description,
  properties: { keys: { type: "array", items: { type: "object", properties: { kty: { type: "string" }, kid: { type: "string" }, alg: { type: "string" }, use: { type: "string" } }, required: ["kty"] } } },
  required: ["keys"],
});

export const JWKS_DOCS: RouteDocs = { ...PUBLIC, response: KEY_SET("The signing key first, then retired keys whose tokens may not have expired; with ml_dsa_jwks: separate, no kty AKP key") };
export const JWKS_ALL_DOCS: RouteDocs = { ...PUBLIC, response: KEY_SET("Every published key, whatever ml_dsa_jwks says; the jwks_uri of the discovery documents while an ML-DSA key signs with ml_dsa_jwks: separate") };
export const JWKS_ML_DSA_DOCS: RouteDocs = { ...PUBLIC, response: KEY_SET("Only kty AKP (ML-DSA-65, RFC 9964) keys; empty when none is published") };

const URL_STRING: JsonSchema = { type: "string", format: "uri" };
const STRINGS: JsonSchema = { type: "array", items: { type: "string" } };
const METADATA = {
  issuer: { ...URL_STRING, description: "server_auth.issuer, exactly as configured (the iss of every token)" },
  jwks_uri: { ...URL_STRING, description: "The key set that holds the key signing now" },
  token_endpoint: { ...URL_STRING, description: "RFC 8693 token exchange (agent tokens)" },
  grant_types_supported: STRINGS,
  token_endpoint_auth_methods_supported: { ...STRINGS, description: "none: the token endpoint authenticates no client; the subject token is the credential" },
  access_token_signing_alg_values_supported: { ...STRINGS, description: "Extension: the algorithms of the published keys, the signing key's first" },
} as const;

export const OAUTH_METADATA_DOCS: RouteDocs = {
  ...PUBLIC,
  response: object({ ...METADATA, response_types_supported: { ...STRINGS, maxItems: 0, description: "Empty: no authorization endpoint" } }),
};
export const OPENID_CONFIGURATION_DOCS: RouteDocs = { ...PUBLIC, response: object(METADATA) };
/** The documents answer only at the paths the issuer gives them (an issuer with a path: docs/discovery.md). */
export const DISCOVERY_RESPONSES = { 404: "Not where this issuer's document is served" } as const;

export const CHALLENGE_DOCS: RouteDocs = {
  ...PUBLIC,
  body: object(
    {
      address: ADDRESS,
      algorithm: { ...ALGORITHM, description: "The key that will sign (secure mode; default secp256k1)" },
      move_to: { ...object({ algorithm: ALGORITHM, public_key: HEX }), description: "Secure mode: a challenge to move the address to this new key (POST /move)" },
    },
    ["address"],
  ),
  response: object({
    challenge: { type: "string", description: "One-time challenge, sent back with the signature" },
    ttl: { type: "integer", description: "Seconds the challenge stays valid" },
    message: { type: "string", description: "The exact text to sign (upstream mode: the challenge itself)" },
  }),
};

const SIGNED = {
  address: ADDRESS,
  challenge: NON_EMPTY,
  signature: { ...HEX, description: "Signature of the issued message, hex" },
  public_key: { ...HEX, description: "Public key, hex (optional in secure mode when the signature names its key: recoverable secp256k1)" },
  algorithm: ALGORITHM,
  message: { type: "string", description: "The message signed; if sent, it must be the one issued" },
};

export const SIGN_IN_DOCS: RouteDocs = {
  ...PUBLIC,
  body: object(SIGNED, ["address", "challenge", "signature"]),
  response: object({ ...TOKENS, address: { type: "string", description: "The signed-in address (the subject)" }, algorithm: ALGORITHM }, [...TOKEN_KEYS, "address", "algorithm"]),
};

export const MOVE_DOCS: RouteDocs = {
  ...PUBLIC,
  body: object(
    {
      ...SIGNED,
      new_signature: { ...HEX, description: "The new key's signature of the same message" },
      new_public_key: HEX,
      new_algorithm: ALGORITHM,
    },
    ["address", "challenge", "signature", "new_signature"],
  ),
  response: object({ address: { type: "string" }, algorithm: ALGORITHM, revoked_sessions: { type: ["integer", "null"], description: "Sessions of the old key ended; null while that is still being retried" } }),
};

export const LOGIN_DOCS: RouteDocs = {
  ...PUBLIC,
  body: object({ email: { type: "string", minLength: 1, maxLength: 320 }, password: { type: "string", minLength: 1, maxLength: 1024, format: "password" } }),
  response: object(TOKENS),
};

export const REFRESH_DOCS: RouteDocs = {
  ...PUBLIC,
  body: object({ refresh_token: NON_EMPTY }),
  response: object(TOKENS),
};

/** A refresh token in the body, or else the bearer access token: either credential ends the session. */
export const LOGOUT_DOCS: RouteDocs = {
  security: [{}, ...(ADMIN.security ?? [])],
  securitySchemes: ADMIN.securitySchemes,
  body: object({ refresh_token: NON_EMPTY }),
  bodyRequired: false,
};

export const REVOCATIONS_DOCS: RouteDocs = {
  security: [{ revocationFeedBearer: [] }],
  securitySchemes: { revocationFeedBearer: { type: "http", scheme: "bearer", description: "The service credential set in server_auth.revocation_feed_bearer" } },
  response: object({ items: { type: "array", items: object({ jti: { type: "string" }, exp: { type: "integer", description: "Expiry, seconds since the epoch" } }) } }),
};

export const REVOKE_SESSIONS_DOCS: RouteDocs = {
  ...ADMIN,
  body: object({ sub: { type: "string", minLength: 1, maxLength: 320, description: "A wallet address or the admin email" } }),
  response: object({ revoked: { type: "integer", description: "How many sessions were live" } }),
};

export const UNBIND_DOCS: RouteDocs = { ...ADMIN };

/** RFC 8693 token exchange: a form (as RFC 8693 sends it) or the same fields as JSON; answered with an agent token. */
export const TOKEN_EXCHANGE_DOCS: RouteDocs = {
  ...PUBLIC,
  bodyContentTypes: ["application/x-www-form-urlencoded", "application/json"],
  body: object(
    {
      grant_type: { type: "string", const: TOKEN_EXCHANGE_GRANT },
      subject_token: { type: "string", minLength: 1, description: "The user's access token (or, with server_auth.allow_agent_token_exchange, an agent token)" },
      subject_token_type: { type: "string", enum: [ACCESS_TOKEN_TYPE_URI, JWT_TOKEN_TYPE_URI] },
      actor: { type: "string", pattern: ID_PATTERN.source, description: "The agent's id (this server's extension; actor_token is not supported): act.sub of the agent token" },
      scope: { type: "string", minLength: 1, description: "Space-separated scopes; each must be delegable by the user's role (server_auth.role_scopes)" },
      requested_token_type: { type: "string", const: JWT_TOKEN_TYPE_URI },
      audience: { type: "string", description: "If given, the agent audience (server_auth.agent_audience)" },
      task_id: { type: "string", pattern: ID_PATTERN.source, description: "Carried as the task_id claim" },
      spend_limit: { type: "string", pattern: DECIMAL_PATTERN.source, description: "Decimal amount carried as the spend_limit claim, not enforced" },
    },
    ["grant_type", "subject_token", "subject_token_type", "actor", "scope"],
  ),
  response: object({
    access_token: { type: "string", description: "The agent token (JWT, typ agent+jwt, aud the agent audience); send it as X-Agent-Authorization: Bearer" },
    issued_token_type: { type: "string", const: JWT_TOKEN_TYPE_URI },
    token_type: { type: "string", const: "Bearer" },
    expires_in: { type: "integer", minimum: 1, description: "Seconds until the agent token expires" },
    scope: { type: "string", description: "The scopes granted, space-separated" },
  }),
};

/** Every route that reads or writes the store can answer 503 when it is unavailable (StoreUnavailableError). */
export const STORE_DOWN = { 503: "The auth store is unavailable; try again later" } as const;

/**
 * The one place that keeps secrets out of log lines (and out of boot-error messages):
 * - fields named like a secret are replaced, at any depth (up to `MAX_DEPTH`, below which
 *   everything is replaced: nothing is printed unread), in errors too, whatever field holds them;
 * - the credentials of a URL (`postgres://app:s3cret@db/app`, `https://ghp_token@github.com`) and
 *   the values of secret-named query parameters (`?password=`, `&access_token=`) are replaced in
 *   every string written: messages, string fields, error messages and stacks.
 * One pass over the fields, copying only what changes. Not pino's `redact`: with the wildcard
 * paths this needs (`*.password`), it cost ~60 µs per line, twenty times the line itself.
 * Code should still never log a secret; this is the net under it.
 */
export const REDACTED = "[redacted]";

/** What replaces a value nested deeper than `MAX_DEPTH` (or an object that contains itself). */
export const TOO_DEEP = "[too deep]";
export const CIRCULAR = "[circular]";

/** Levels of nesting read; deeper values are replaced, not printed unread. */
const MAX_DEPTH = 32;

/** A field name as compared: lower case, without `-` and `_` (`X-Api-Key`, `api_key`, `apiKey` are one). */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/**
 * Field names whose value is a secret, as they appear in settings, bodies and headers (compared
 * normalized). Any name ending in one of `SECRET_SUFFIXES` is one too (`revocation_feed_bearer`,
 * `sslpassword`, `client_secret`, `id_token`).
 */
const SECRET_KEYS = new Set([
  "pwd", "passwd", "password_hash", "admin_password_hash",
  "authorization", "proxy-authorization", "x-agent-authorization",
  "cookie", "set-cookie", "credentials", "signature", "key_encryption_key", "key_encryption_key_previous",
].map(normalize));
const SECRET_SUFFIXES = ["password", "passwd", "token", "bearer", "secret", "apikey", "privatekey"];

/** Verdicts by field name, as written: a program logs few distinct names (bounded all the same). */
const verdicts = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = verdicts.get(key);
  if (secret === undefined) {
    const name = normalize(key);
    secret = SECRET_KEYS.has(name) || SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix));
    if (verdicts.size < 4096) verdicts.set(key, secret);
  }
  return secret;
}

/**
 * scheme://userinfo@ — the userinfo runs to the last `@` before the first `/`, `?`, `#` or line
 * end, so a password may hold `@`, spaces and quotes (a JSON-escaped `\"` too). An unescaped `"`
 * that closes a JSON string (followed by `,` `:` `}` `]` or the end) ends it: in
 * `{"issuer":"http://localhost:8100","email":"admin@example.com"}` nothing is a userinfo. Where a
 * URL without credentials is followed on its line, before any `/`, by an `@` (`http://host and
 * a@b`), more than a userinfo is replaced: too much rather than a password. The user before a
 * `:` is kept.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)((?:[^/?#\r\n"\\]|\\[^\r\n]|"(?!\s*(?:[,:}\]]|$)))*)@/gi;

/** `user:password` keeps the user (it tells which account was used); a token alone (`ghp_...@`) goes whole. */
function scrubUserinfo(_whole: string, scheme: string, userinfo: string): string {
  const user = /^[a-z0-9._~%!$&'()*+,;=-]*(?=:)/i.exec(userinfo)?.[0];
  return `${scheme}${user === undefined ? "" : `${user}:`}${REDACTED}@`;
}

/**
 * name=value at the start or after `?`, `&`, `;` or a space: a query parameter, a connection-string
 * option (`host=db password=x`, `Server=db;Password=x`). Its value runs to the next separator,
 * quote or backslash (`\"` ends a JSON-escaped string).
 */
const PARAMETER = /(^|[?&;\s])([a-z0-9_.-]+)=([^&#;\s"'\\]*)/gi;

/** A bearer token in text (`Authorization: Bearer eyJ...`): a word of token characters that holds a digit or a punctuation. */
const BEARER = /\b(bearer\s+)(?=[a-z]*[0-9._~+/-])[a-z0-9._~+/-]{8,}=*/gi;

/** `text` with URL credentials, secret parameters and bearer tokens replaced. Cheap when there is none. */
export function scrubUrlPasswords(text: string): string {
  let clean = text;
  if (clean.includes("://") && clean.includes("@")) clean = clean.replace(URL_USERINFO, scrubUserinfo);
  if (clean.includes("=")) {
    clean = clean.replace(PARAMETER, (whole, sep: string, name: string, value: string) => (value !== "" && isSecretKey(name) ? `${sep}${name}=${REDACTED}` : whole));
  }
  if (/earer/i.test(clean)) clean = clean.replace(BEARER, `$1${REDACTED}`);
  return clean;
}

/**
 * `value` with secret-named fields replaced and URL credentials scrubbed from every string, at any
 * depth. An `Error`, wherever it is, becomes what pino's error serializer makes of one (type,
 * message, stack, own fields, cause, the errors of an AggregateError), redacted the same way.
 * Returns `value` itself when nothing changed, so clean lines allocate nothing.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0, []) as T;
}

function redact(value: unknown, depth: number, ancestors: object[]): unknown {
  if (typeof value === "string") return scrubUrlPasswords(value);
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (ancestors.includes(value)) return CIRCULAR;
  ancestors.push(value);
  try {
    if (value instanceof Error) return redactFields(serializeError(value), depth, ancestors, true);
    // What the JSON line will hold (a URL object is its href, password included).
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return redact(toJSON.call(value), depth + 1, ancestors);
    return redactFields(value, depth, ancestors, false);
  } finally {
    ancestors.pop();
  }
}

function redactFields(value: object, depth: number, ancestors: object[], fresh: boolean): object {
  let copy: Record<string, unknown> | unknown[] | undefined = fresh ? (value as Record<string, unknown>) : undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const secret = item !== undefined && item !== null && typeof item !== "boolean" && !Array.isArray(value) && isSecretKey(key);
    const clean = secret ? REDACTED : redact(item, depth + 1, ancestors);
    if (clean === item) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = clean;
  }
  return copy ?? value;
}

/** The fields pino's `errWithCause` writes for an error; its cause and errors are redacted by the caller. */
function serializeError(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.constructor?.name ?? error.name, message: error.message, stack: error.stack };
  for (const key of Object.keys(error)) fields[key] ??= (error as unknown as Record<string, unknown>)[key];
  if (error.cause !== undefined) fields.cause = error.cause;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) fields.errors = errors;
  return fields;
}

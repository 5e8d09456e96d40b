/**
 * The one place that keeps secrets out of log lines (and out of boot-error messages):
 * - fields named like a secret are replaced, at any depth (a few levels);
 * - a password inside a URL (`postgres://app:s3cret@db/app`) is replaced in every string written:
 *   messages, string fields, error messages and stacks.
 * One pass over the fields, copying only what changes. Not pino's `redact`: with the wildcard
 * paths this needs (`*.password`), it cost ~60 µs per line, twenty times the line itself.
 * Code should still never log a secret; this is the net under it.
 */
export const REDACTED = "[redacted]";

/** Field names whose value is a secret, as they appear in settings, bodies and headers (compared in lower case). */
const SECRET_KEYS = new Set([
  "password", "admin_password", "adminPassword", "new_password", "current_password", "admin_password_hash", "adminPasswordHash",
  "token", "access_token", "accessToken", "refresh_token", "refreshToken", "id_token",
  "authorization", "x-agent-authorization", "cookie", "set-cookie",
  "bearer", "metrics_bearer", "metricsBearer", "admin_bearer", "secret", "client_secret",
  "signature", "private_key", "privateKey", "api_key",
].map((key) => key.toLowerCase()));

/** scheme://user:password@ — the user may be empty; the password runs to the last `@` before a space or quote. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"']*):[^\s"']*@/gi;

/** `text` with the password of every URL in it replaced. Cheap when there is no URL. */
export function scrubUrlPasswords(text: string): string {
  return text.includes("://") ? text.replace(URL_PASSWORD, `$1:${REDACTED}@`) : text;
}

/**
 * `value` with secret-named fields replaced and URL passwords scrubbed from every string, `depth`
 * levels deep (serialized errors nest their causes). Returns `value` itself when nothing changed,
 * so clean lines allocate nothing. Errors are left to the logger's error serializer.
 */
export function redactSecrets<T>(value: T, depth = 4): T {
  if (typeof value === "string") return scrubUrlPasswords(value) as T;
  if (depth === 0 || value === null || typeof value !== "object" || value instanceof Error) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const clean = item !== undefined && item !== null && SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redactSecrets(item, depth - 1);
    if (clean === item) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = clean;
  }
  return (copy ?? value) as T;
}

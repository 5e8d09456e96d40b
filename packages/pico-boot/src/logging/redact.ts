/**
 * The one place that keeps secrets out of log lines (and out of boot-error messages):
 * - fields named like a secret are replaced, at the top level and one level down (pino `redact`);
 * - a password inside a URL (`postgres://app:s3cret@db/app`) is replaced in every string written:
 *   messages, string fields, error messages and stacks.
 * Code should still never log a secret; this is the net under it.
 */
export const REDACTED = "[redacted]";

/** Field names whose value is a secret, as they appear in settings, bodies and headers. */
const SECRET_KEYS = [
  "password", "admin_password", "adminPassword", "new_password", "current_password", "admin_password_hash", "adminPasswordHash",
  "token", "access_token", "accessToken", "refresh_token", "refreshToken", "id_token",
  "authorization", "x-agent-authorization", "cookie", "set-cookie",
  "bearer", "metrics_bearer", "metricsBearer", "admin_bearer", "secret", "client_secret",
  "signature", "private_key", "privateKey", "api_key",
];

/** pino `redact` paths: each key at the top level and inside any object field (`fields.body.password`). */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const path = /^[A-Za-z_]\w*$/.test(key) ? key : `["${key}"]`;
  return [path, path.startsWith("[") ? `*${path}` : `*.${path}`];
});

/** scheme://user:password@ — the user may be empty; the password runs to the last `@` before a space or quote. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"']*):[^\s"']*@/gi;

/** `text` with the password of every URL in it replaced. Cheap when there is no URL. */
export function scrubUrlPasswords(text: string): string {
  return text.includes("://") ? text.replace(URL_PASSWORD, `$1:${REDACTED}@`) : text;
}

/**
 * `value` with URL passwords scrubbed from every string in it, a few levels deep (serialized errors
 * nest their causes). Returns `value` itself when nothing changed, so clean lines allocate nothing.
 */
export function scrubStrings<T>(value: T, depth = 4): T {
  if (typeof value === "string") return scrubUrlPasswords(value) as T;
  if (depth === 0 || value === null || typeof value !== "object" || value instanceof Error) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const [key, item] of Object.entries(value)) {
    const clean = scrubStrings(item, depth - 1);
    if (clean === item) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = clean;
  }
  return (copy ?? value) as T;
}

/**
 * A connection URL for logs and error messages: scheme, host, port and path (the database), without
 * user, password, query or fragment (a `password=` parameter is as secret as the userinfo).
 * Unparsable input gives `(an unparsable <what> URL)`, never the input itself. Loads no client.
 */
export function redactUrl(url: string, what: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return `(an unparsable ${what} URL)`;
  }
}

/**
 * `url` parsed, when it is a URL of one of `schemes` (e.g. "redis:"); else what is wrong with it, which
 * never quotes it (it may hold a password): `expected` is the form to show instead. Node's own parse
 * error keeps the input in `.input`, so it is dropped, not wrapped.
 */
export function parseConnectionUrl(url: string, schemes: readonly string[], expected: string): URL | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL (expected ${expected})`;
  }
  if (!schemes.includes(parsed.protocol)) {
    return `must start with ${schemes.map((s) => `${s}//`).join(" or ")}; got a ${JSON.stringify(parsed.protocol.slice(0, 20))} URL`;
  }
  return parsed;
}

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

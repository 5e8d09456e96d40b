/**
 * Connection URLs of shared stores (redis_url, postgres_url) may carry a password: they are shown
 * only through `redactUrl`, and checked without being echoed.
 */

/** `url` without its user and password, for logs and messages; never the input itself when it does not parse. */
export function redactUrl(url: string): string {
  const parsed = parse(url);
  if (!parsed) return "(not a valid URL)";
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

/**
 * Why `url` is not a usable connection URL of one of `schemes` (e.g. ["redis:", "rediss:"]), or
 * undefined. The reason never contains the URL's user or password.
 */
export function connectionUrlProblem(url: string, schemes: readonly string[]): string | undefined {
  const parsed = parse(url);
  // Node's own error keeps the input (password included) in `.input`: it is dropped, not wrapped.
  if (!parsed) return "it is not a valid URL";
  if (!schemes.includes(parsed.protocol)) return `its scheme is ${JSON.stringify(parsed.protocol.slice(0, 20))}`;
  if (!parsed.hostname) return "it has no host";
  return undefined;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL connection URLs: checked and shown without ever carrying their password. This file does
 * not load `pg`, so the settings check can use it whatever the store.
 */
import { redactUrl } from "../redact-url.js";

const SCHEMES = new Set(["postgres:", "postgresql:"]);

/**
 * What is wrong with `url` as a `server_auth.postgres_url`, or undefined when it is usable. The answer
 * never quotes the URL (it may hold a password): it names the part that is wrong. No host is allowed,
 * as in libpq: the default (PGHOST, else the local socket) applies.
 */
export function postgresUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL (expected postgres://user:password@host:port/database)";
  }
  if (!SCHEMES.has(parsed.protocol)) return `must start with postgres:// or postgresql://; got a ${JSON.stringify(parsed.protocol.slice(0, 20))} URL`;
  return undefined;
}

/** `url` for logs and error messages: see redactUrl. */
export function redactPostgresUrl(url: string): string {
  return redactUrl(url, "PostgreSQL");
}

/**
 * PostgreSQL connection URLs: checked and shown without ever carrying their password. This file does
 * not load `pg`, so the settings check can use it whatever the store.
 */
import { parseConnectionUrl, redactUrl } from "../redact-url.js";

/**
 * What is wrong with `url` as a `server_auth.postgres_url`, or undefined when it is usable. The answer
 * never quotes the URL (it may hold a password): it names the part that is wrong. No host is allowed,
 * as in libpq: the default (PGHOST, else the local socket) applies.
 */
export function postgresUrlProblem(url: string): string | undefined {
  const parsed = parseConnectionUrl(url, ["postgres:", "postgresql:"], "postgres://user:password@host:port/database");
  return typeof parsed === "string" ? parsed : undefined;
}

/** `url` for logs and error messages: see redactUrl. */
export function redactPostgresUrl(url: string): string {
  return redactUrl(url, "PostgreSQL");
}

/**
 * Redis connection URLs: checked and shown without ever carrying their password. This file does not
 * load the Redis client, so the settings check can use it whether or not redis_url is set.
 */
import { parseConnectionUrl, redactUrl } from "../redact-url.js";

/**
 * What is wrong with `url` as a `server_auth.redis_url`, or undefined when it is usable. The answer
 * never quotes the URL (it may hold a password): it names the part that is wrong.
 */
export function redisUrlProblem(url: string): string | undefined {
  const parsed = parseConnectionUrl(url, ["redis:", "rediss:"], "redis://[user:password@]host[:port][/db], or rediss:// for TLS");
  if (typeof parsed === "string") return parsed;
  if (!parsed.hostname) return "has no host (expected redis://[user:password@]host[:port][/db])";
  if (!/^\/?(\d{1,5})?$/.test(parsed.pathname)) return "has a path that is not a database number (expected redis://host:6379/0)";
  return undefined;
}

/** `url` for logs and error messages: see redactUrl. */
export function redactRedisUrl(url: string): string {
  return redactUrl(url, "Redis");
}

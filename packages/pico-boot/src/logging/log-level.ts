import type { Env } from "pico-ioc";
import { InvalidOptionsError } from "../errors.js";

/** The levels `LOG_LEVEL` takes, most verbose first; `silent` logs nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/** `LOG_LEVEL` from the environment (any case), `info` when unset or empty; anything else is refused, naming it. */
export function logLevelFrom(env: Env): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw.trim() === "") return DEFAULT_LOG_LEVEL;
  const level = raw.trim().toLowerCase();
  if (!isLogLevel(level)) throw new InvalidOptionsError(`LOG_LEVEL expected one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(raw)}`);
  return level;
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

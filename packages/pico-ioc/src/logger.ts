import { createToken } from "./token.js";

/**
 * Structured fields of one log line. By convention: `event` is a stable, dotted event name
 * (`auth.login_failed`), `err` an error (rendered with its stack and causes). Never put secrets here.
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What the framework logs through; inject `LOGGER` to log the same way, or pass your own.
 * pico-boot's default writes JSON lines (pino) at `LOG_LEVEL`.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const LOGGER = createToken<Logger>("Logger");

/** Drops everything: the default of a bare container, and handy in tests. */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

import { createRequire } from "node:module";
import { pino } from "pino";
import type { DestinationStream, Logger as Pino } from "pino";
import type { LogFields, Logger } from "pico-ioc";
import { DEFAULT_LOG_LEVEL } from "./log-level.js";
import type { LogLevel } from "./log-level.js";
import { redactSecrets, scrubUrlPasswords } from "./redact.js";

/** Where lines go: anything with `write(line)`, e.g. a stream; one JSON object per line. */
export type LogDestination = DestinationStream;

export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** Default: standard output. */
  readonly destination?: LogDestination;
  /**
   * Readable lines (pino-pretty) instead of JSON. Default: when writing to standard output and it
   * is a terminal. pino-pretty is loaded only then.
   */
  readonly pretty?: boolean;
}

/** The default logger: a `Logger` that also says which levels it writes (as pino's does). */
export interface PicoLogger extends Logger {
  readonly level: LogLevel;
  isLevelEnabled(level: Exclude<LogLevel, "silent">): boolean;
}

/**
 * pico-boot's logger: pino, JSON lines with an ISO time, the level as a word, the process id, and
 * secrets redacted (see redact.ts). An error, under `err` or any field, is rendered with its stack
 * and causes.
 *
 * @example
 *   const app = new Application({ logger: createLogger({ level: "debug", destination: myStream }) });
 */
export function createLogger(options: LoggerOptions = {}): PicoLogger {
  return loggerOver(options.level ?? DEFAULT_LOG_LEVEL, logOutput(options));
}

/** The sink `createLogger` writes to for these options: the destination (or stdout), pretty or not. */
export function logOutput(options: Pick<LoggerOptions, "destination" | "pretty"> = {}): LogDestination {
  const toStdout = options.destination === undefined;
  const pretty = options.pretty ?? (toStdout && process.stdout.isTTY === true);
  // JSON to stdout is written asynchronously: at once when idle, and lines that come while a write
  // is under way go out together in the next (a write(2) per line would cost more than the request
  // it logs). pino flushes what is left on process.exit(); a SIGKILL may lose the last lines.
  // A terminal is written synchronously.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: pretty });
  return pretty ? prettyOutput(destination, toStdout && process.stdout.isTTY === true) : destination;
}

/** A logger at `level` writing JSON lines to `output`. */
export function loggerOver(level: LogLevel, output: LogDestination): PicoLogger {
  const base = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // redactSecrets serializes an error (type, message, stack, own fields, causes) as pino's
      // errWithCause does, under `err` or any other field, and redacts it.
      serializers: { err: redactSecrets },
    },
    output,
  );
  return adapt(base, level);
}

function adapt(base: Pino, level: LogLevel): PicoLogger {
  const write = (method: "debug" | "info" | "warn" | "error") => {
    // Levels below the threshold are no-ops, decided once here.
    if (!base.isLevelEnabled(method)) return () => {};
    return (message: string, fields?: LogFields) => {
      if (fields) base[method](redactSecrets(fields) as object, scrubUrlPasswords(message));
      else base[method](scrubUrlPasswords(message));
    };
  };
  return {
    level,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    isLevelEnabled: (name) => base.isLevelEnabled(name),
  };
}


/**
 * Readable lines: pino-pretty's formatter, called synchronously in this thread (its stream form
 * is asynchronous, and would lose the last lines of a process that exits). Loaded only here.
 */
function prettyOutput(destination: LogDestination, colorize: boolean): LogDestination {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require("pino-pretty") as { prettyFactory: (options: Record<string, unknown>) => (line: string) => string };
  const format = prettyFactory({ colorize, singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid" });
  return { write: (line: string) => destination.write(format(line)) };
}

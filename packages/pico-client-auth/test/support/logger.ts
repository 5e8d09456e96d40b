import { inspect } from "node:util";
import type { Logger } from "pico-ioc";

/** A Logger that keeps what it is given: `lines` as `"warn: message"`, `text` with every detail rendered too. */
export interface RecordingLogger extends Logger {
  readonly lines: string[];
  /** Messages and details (errors with their causes), as one string: for "never logged" checks. */
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const details: unknown[] = [];
  const record = (level: string) => (message: string, ...rest: unknown[]) => {
    lines.push(`${level}: ${message}`);
    details.push(message, ...rest);
  };
  return {
    lines,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    text: () => details.map((d) => (typeof d === "string" ? d : inspect(d, { depth: 10 }))).join("\n"),
  };
}

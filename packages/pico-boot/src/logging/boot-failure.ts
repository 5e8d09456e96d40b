import { scrubUrlPasswords } from "./redact.js";

/**
 * What `run()` prints on stderr when the application cannot start: one line per problem (an
 * invalid configuration lists each setting), prefixed so that it reads apart from the program's
 * own output; with `withStack` (LOG_LEVEL=debug), each error's stack and causes follow.
 */
export function describeBootFailure(error: unknown, withStack: boolean): string {
  const lines = problemsOf(error).map((problem) => `pico-boot: cannot start: ${problem}`);
  if (withStack) lines.push(...stacksOf(error));
  return `${scrubUrlPasswords(lines.join("\n"))}\n`;
}

/**
 * The problems of the first error in the `cause` chain that lists some (pico-ioc's ConfigurationError,
 * `{ path, message }`, and InvalidGraphError, strings): a ConfigurationError thrown by a component's
 * constructor arrives wrapped in a ComponentInitError. Otherwise the error's own message, on one line.
 */
function problemsOf(error: unknown): string[] {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const problems = (e as { problems?: unknown }).problems;
    if (!Array.isArray(problems) || problems.length === 0) continue;
    const what = (e as { code?: unknown }).code === "CONFIG_INVALID" ? "invalid configuration: " : "";
    return problems.map((p: unknown) => oneLine(typeof p === "string" ? p : `${what}${(p as { path?: string }).path}: ${(p as { message?: string }).message}`));
  }
  return [oneLine(error instanceof Error ? error.message : String(error))];
}

/** A message that spans lines (a list, a wrapped cause) would read as several problems, the later ones unprefixed. */
function oneLine(text: string): string {
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" ");
}

function stacksOf(error: unknown): string[] {
  const stacks: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    stacks.push(depth === 0 ? (e.stack ?? String(e)) : `caused by: ${e.stack ?? String(e)}`);
  }
  return stacks;
}

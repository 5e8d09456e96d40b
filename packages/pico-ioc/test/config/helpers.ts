import { ConfigurationError } from "../../src/errors.js";
import type { ConfigProblem } from "../../src/errors.js";

/** Runs `bind` and returns the problems of the ConfigurationError it must throw. */
export function problemsOf(bind: () => unknown): readonly ConfigProblem[] {
  try {
    bind();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigurationError, but binding succeeded");
}

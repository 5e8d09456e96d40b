/** A mistake in the command line or its target (exit code 2, as for a usage error): the message says what to change. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

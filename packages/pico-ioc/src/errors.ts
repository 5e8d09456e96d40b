/** Stable codes for every error pico-ioc raises; programs branch on `err.code`, not on messages. */
export type PicoIocErrorCode =
  | "CONFIG_INVALID"
  | "DECORATOR_MISUSE"
  | "GRAPH_INVALID"
  | "PROVIDER_NOT_FOUND"
  | "COMPONENT_INIT_FAILED"
  | "COMPONENT_DESTROY_FAILED"
  | "SCOPE_INACTIVE"
  | "CONTAINER_DESTROYED";

/** Base class of every pico-ioc error. `code` is stable across releases; `cause` is forwarded. */
export class PicoIocError extends Error {
  readonly code: PicoIocErrorCode;

  constructor(code: PicoIocErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found while binding configuration; `path` is the full dotted key path. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Configuration that does not fit the declared settings: every problem is listed, not just the first. */
export class ConfigurationError extends PicoIocError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      "CONFIG_INVALID",
      `Invalid configuration:\n${problems.map((p) => `- ${p.path}: ${p.message}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

/** A decorator used in a way that can never work (caught when the class is declared). */
export class DecoratorMisuseError extends PicoIocError {
  constructor(message: string) {
    super("DECORATOR_MISUSE", message);
  }
}

/** The dependency graph cannot be built: missing providers, cycles, ambiguity, scope widening. */
export class InvalidGraphError extends PicoIocError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("GRAPH_INVALID", `Invalid dependency graph:\n${problems.map((p) => `- ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

export class ProviderNotFoundError extends PicoIocError {
  constructor(tokenName: string) {
    super("PROVIDER_NOT_FOUND", `No provider for ${tokenName} in this container`);
  }
}

/** A constructor, a factory's `create` or an `onInit` hook threw; `cause` holds the original error. */
export class ComponentInitError extends PicoIocError {
  constructor(componentName: string, phase: "constructor" | "create" | "onInit", cause: unknown) {
    super("COMPONENT_INIT_FAILED", `Failed to create ${componentName} (${phase}): ${describe(cause)}`, { cause });
  }
}

/** One or more `onDestroy` hooks threw; every hook still ran. */
export class ComponentDestroyError extends PicoIocError {
  readonly failures: readonly { component: string; error: unknown }[];

  constructor(failures: readonly { component: string; error: unknown }[]) {
    super(
      "COMPONENT_DESTROY_FAILED",
      `onDestroy failed for ${failures.map((f) => `${f.component} (${describe(f.error)})`).join(", ")}`,
      { cause: failures[0]?.error },
    );
    this.failures = failures;
  }
}

export class ScopeInactiveError extends PicoIocError {
  constructor(componentName: string) {
    super(
      "SCOPE_INACTIVE",
      `${componentName} is request-scoped: resolve it from a request scope (container.createRequestScope()), not from the application container`,
    );
  }
}

export class ContainerDestroyedError extends PicoIocError {
  constructor() {
    super("CONTAINER_DESTROYED", "The container has been destroyed");
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

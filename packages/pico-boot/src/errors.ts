export type PicoBootErrorCode = "INVALID_OPTIONS" | "MODULE_NOT_FOUND" | "MODULE_IMPORT_FAILED" | "NOT_INITIALIZED" | "STOPPED" | "LISTEN_FAILED";

/** Base class of pico-boot errors; `code` is stable, `cause` forwarded. */
export class PicoBootError extends Error {
  readonly code: PicoBootErrorCode;

  constructor(code: PicoBootErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class InvalidOptionsError extends PicoBootError {
  constructor(message: string) {
    super("INVALID_OPTIONS", message);
  }
}

export class ModuleNotFoundError extends PicoBootError {
  readonly moduleName: string;
  readonly tried: readonly string[];

  constructor(moduleName: string, tried: readonly string[], root: string, reasons: readonly string[]) {
    super(
      "MODULE_NOT_FOUND",
      `Cannot find pico module "${moduleName}": tried ${tried.map((t) => `"${t}"`).join(", ")} from ${root} (${reasons.join("; ")}). ` +
        "Add the package to that application's dependencies (or name the application package itself).",
    );
    this.moduleName = moduleName;
    this.tried = tried;
  }
}

export class ModuleImportError extends PicoBootError {
  readonly moduleName: string;

  constructor(moduleName: string, location: string, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super("MODULE_IMPORT_FAILED", `Pico module "${moduleName}" (${location}) failed to import: ${reason}`, { cause });
    this.moduleName = moduleName;
  }
}

export class NotInitializedError extends PicoBootError {
  constructor(what: string) {
    super("NOT_INITIALIZED", `${what} is available after "await app.init()" (or start()/run()/request())`);
  }
}

export class ApplicationStoppedError extends PicoBootError {
  constructor() {
    super("STOPPED", "This application has been stopped; create a new Application to serve again");
  }
}

export class ListenError extends PicoBootError {
  /**
   * `portSetting` names what sets the port, for the message: `PORT` for the main listener,
   * `web.metrics_port (WEB__METRICS_PORT)` for the /metrics one. Both listen on `HOST`.
   */
  constructor(host: string, port: number, cause: unknown, portSetting = "PORT") {
    super("LISTEN_FAILED", `Cannot listen on ${host}:${port}: ${listenProblem(cause, portSetting)}`, { cause });
  }
}

/** Why listening failed, and which of the port setting and `HOST` to change. */
function listenProblem(cause: unknown, port: string): string {
  switch ((cause as NodeJS.ErrnoException | null)?.code) {
    case "EADDRINUSE":
      return `the port is already in use (another process listens there); choose another with ${port}, or another address with HOST`;
    case "EACCES":
      return `permission denied (ports below 1024 need privileges); choose a port from 1024 with ${port}, or check HOST`;
    case "EADDRNOTAVAIL":
      return `this machine has no such address; set HOST to one of its addresses (0.0.0.0 or :: for all), or check ${port}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve; set HOST to an address or a resolvable name";
    default:
      return `${cause instanceof Error ? cause.message : String(cause)} (${port} and HOST set the address)`;
  }
}

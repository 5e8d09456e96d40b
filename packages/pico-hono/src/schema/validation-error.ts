import { PicoHonoError } from "../errors.js";
import type { StandardIssue } from "./standard-schema.js";

/** One problem in FastAPI's shape, so clients of the upstream keep working. */
export interface ValidationIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** Invalid request input: answered 422 `{"detail": [{loc, msg, type}, ...]}`. */
export class RequestValidationError extends PicoHonoError {
  readonly detail: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    super("VALIDATION_FAILED", 422, `Request validation failed: ${issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")}`);
    this.detail = issues;
  }
}

/** A handler returned a value its declared response schema rejects: a server bug, answered 500. */
export class ResponseValidationError extends PicoHonoError {
  constructor(route: string, issues: readonly ValidationIssue[]) {
    super("RESPONSE_INVALID", 500, `${route} returned a value that does not match its response schema: ${issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")}`);
  }
}

export function toValidationIssues(where: string, issues: readonly StandardIssue[]): ValidationIssue[] {
  return issues.map((issue) => ({
    loc: [where, ...(issue.path ?? []).map((segment) => pathKey(typeof segment === "object" ? segment.key : segment))],
    msg: issue.message,
    type: typeof issue.code === "string" ? issue.code : "value_error",
  }));
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === "symbol" ? key.toString() : key;
}

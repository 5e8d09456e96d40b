import type { Context } from "hono";
import { HTTPException } from "../errors.js";
import { stringCoercer } from "../schema/string-coercion.js";
import { toJsonSchema } from "../schema/standard-schema.js";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import { RequestValidationError, toValidationIssues } from "../schema/validation-error.js";
import type { ValidationIssue } from "../schema/validation-error.js";
import { readBodyText } from "./request-body.js";
import type { RouteDefinition } from "./route-definition.js";

/** The validated inputs of one request; a part is absent when the route declares no schema for it. */
export interface RouteInput {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
}

export type InputReader = (c: Context) => Promise<RouteInput>;

const NO_BODY = Symbol("no body");

/**
 * Builds, once per route, the function that reads and validates its inputs. All problems of params,
 * query and body are reported together in one 422. Routes without schemas get no reader at all.
 */
export function inputReader(route: RouteDefinition): InputReader | undefined {
  const { params, query, body } = route.options;
  if (!params && !query && !body) return undefined;
  const coerceParams = params && stringCoercer(toJsonSchema(params, "input"));
  const coerceQuery = query && stringCoercer(toJsonSchema(query, "input"));
  return async (c) => {
    const issues: ValidationIssue[] = [];
    const input: { params?: unknown; query?: unknown; body?: unknown } = {};
    if (params && coerceParams) {
      const raw = Object.fromEntries(Object.entries(c.req.param() as Record<string, string>).map(([k, v]) => [k, [v]]));
      input.params = await validate(params, coerceParams(raw), "path", issues);
    }
    if (query && coerceQuery) input.query = await validate(query, coerceQuery(c.req.queries()), "query", issues);
    if (body) {
      const raw = await readJsonBody(c);
      input.body = await validate(body, raw === NO_BODY ? undefined : raw, "body", issues);
    }
    if (issues.length > 0) throw new RequestValidationError(issues);
    return input;
  };
}

export async function validate(schema: StandardSchemaV1, value: unknown, where: string, issues: ValidationIssue[]): Promise<unknown> {
  const result = await schema["~standard"].validate(value);
  if (result.issues) {
    issues.push(...toValidationIssues(where, result.issues));
    return undefined;
  }
  return result.value;
}

/** The parsed JSON body, or NO_BODY for an empty one; 415 for a body that is not JSON, 400 for malformed JSON. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await readBodyText(c);
  if (text === "") return NO_BODY;
  const type = c.req.header("content-type") ?? "";
  if (!isJsonContentType(type)) {
    throw new HTTPException(415, `Expected a JSON body (Content-Type: application/json), got ${type === "" ? "no Content-Type" : JSON.stringify(type)}`);
  }
  return parseJsonText(text);
}

/** `application/json`, or a `+json` type (`application/merge-patch+json`), with any parameters. */
export function isJsonContentType(type: string): boolean {
  return /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type);
}

/** The parsed body; 400 naming the parser's complaint when it is not JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HTTPException(400, `Malformed JSON body: ${(error as Error).message}`, { cause: error });
  }
}

/** A JSON value as a message names it: its type, and the value itself when short. */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `a ${typeof value}` : text;
}

export function isNoBody(value: unknown): boolean {
  return value === NO_BODY;
}

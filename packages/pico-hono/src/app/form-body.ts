import type { Context } from "hono";
import { HTTPException } from "../errors.js";
import { describeJson, isJsonContentType, parseJsonText } from "./route-input.js";
import { readBodyText } from "./request-body.js";

const FORM_TYPE = "application/x-www-form-urlencoded";

/**
 * A body sent as an HTML form (`application/x-www-form-urlencoded`) or as a JSON object, read into
 * one map of strings: what OAuth endpoints take (RFC 6749 §3.2 and RFC 8693 send forms; JSON clients
 * send the same names). 400 for an empty body, a repeated form parameter (RFC 6749 §3.2: "MUST NOT be
 * included more than once"), malformed JSON, a JSON body that is not an object or a field that is not
 * a string; 415 for any other content type. The route's body limit applies as for `json()`.
 */
export async function readFormOrJsonBody(c: Context): Promise<Readonly<Record<string, string>>> {
  const text = await readBodyText(c);
  if (text === "") throw new HTTPException(400, "Expected a form or JSON body, got an empty body");
  const type = c.req.header("content-type") ?? "";
  if (isFormContentType(type)) return formFields(text);
  if (isJsonContentType(type)) return jsonFields(parseJsonText(text));
  throw new HTTPException(
    415,
    `Expected a form body (Content-Type: ${FORM_TYPE}) or a JSON body (Content-Type: application/json), got ${type === "" ? "no Content-Type" : JSON.stringify(type)}`,
  );
}

function isFormContentType(type: string): boolean {
  return /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
}

function formFields(text: string): Readonly<Record<string, string>> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (seen.has(name)) throw new HTTPException(400, `Form parameter ${JSON.stringify(name)} is repeated: each parameter may appear once (RFC 6749 §3.2)`);
    seen.add(name);
    entries.push([name, value]);
  }
  // fromEntries defines own properties: a "__proto__" field stays a field, never a prototype.
  return Object.freeze(Object.fromEntries(entries));
}

function jsonFields(body: unknown): Readonly<Record<string, string>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HTTPException(400, `Expected a JSON object body, got ${describeJson(body)}`);
  }
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== "string") throw new HTTPException(400, `JSON body field ${JSON.stringify(name)} expected a string, got ${describeJson(value)}`);
  }
  return Object.freeze({ ...(body as Record<string, string>) });
}

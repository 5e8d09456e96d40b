import { DecoratorMisuseError, rejectUnknownOptions } from "pico-ioc";
import { isStandardSchema } from "../schema/standard-schema.js";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteOptions {
  /** Status of a successful response; default 200, or 204 when the handler returns nothing. */
  readonly status?: number;
  /** One-line summary for the API docs. */
  readonly summary?: string;
  readonly description?: string;
  /** Tags added to the controller's tags. */
  readonly tags?: readonly string[];
  readonly deprecated?: boolean;
  /** Schema of the JSON body: the handler gets the parsed value as `ctx.body`; invalid → 422. */
  readonly body?: StandardSchemaV1;
  /** Schema of the query: strings are converted to the declared types first (`?page=2` → 2). */
  readonly query?: StandardSchemaV1;
  /** Schema of the path parameters, converted like the query. */
  readonly params?: StandardSchemaV1;
  /** Schema of the success response: the returned value is validated and serialised through it. */
  readonly response?: StandardSchemaV1;
  /** Other responses to document, e.g. `{ 404: "Item not found" }`. */
  readonly responses?: Readonly<Record<number, string>>;
  /** What the API docs say about a handler that reads and checks its own input: documentation only, never validated against. */
  readonly openapi?: RouteDocs;
}

/** A JSON Schema (2020-12, as OpenAPI 3.1 takes it), e.g. `{ type: "object", properties: { ... } }`. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * Documentation of a route whose handler keeps its own validation and messages (`body` and `response`
 * would validate, with 422s). Wins over what `body`/`response` schemas would document.
 */
export interface RouteDocs {
  /** JSON Schema of the request body (`application/json` unless `bodyContentTypes` says otherwise). */
  readonly body?: JsonSchema;
  /**
   * The media types the body may be sent as, each documented with the `body` schema; default
   * `["application/json"]`. A handler reading `ctx.formOrJson()` lists the form type too.
   */
  readonly bodyContentTypes?: readonly string[];
  /** Whether the body must be sent; default true. */
  readonly bodyRequired?: boolean;
  /** JSON Schema of the success response body. */
  readonly response?: JsonSchema;
  /** The credentials the route takes (OpenAPI security requirements); `[]` says it takes none. */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  /** Security schemes the requirements name, added to `components.securitySchemes`. */
  readonly securitySchemes?: Readonly<Record<string, JsonSchema>>;
}

export interface RouteRecord {
  readonly method: HttpMethod;
  /** The path as declared, before the controller prefix. */
  readonly path: string;
  readonly handlerName: string;
  readonly options: RouteOptions;
}

const ROUTES_KEY = Symbol.for("pico-hono.routes");
const ROUTE_OPTION_KEYS = ["status", "summary", "description", "tags", "deprecated", "body", "query", "params", "response", "responses", "openapi"] as const;
const DOCS_OPTION_KEYS = ["body", "bodyRequired", "bodyContentTypes", "response", "security", "securitySchemes"] as const;
const SCHEMA_OPTION_KEYS = ["body", "query", "params", "response"] as const;

function route(method: HttpMethod, path: string, options: RouteOptions = {}): MethodDecorator {
  const where = `@${method.toLowerCase()}`;
  rejectUnknownOptions(where, options, ROUTE_OPTION_KEYS);
  if (typeof path !== "string" || (path !== "" && !path.startsWith("/"))) {
    throw new DecoratorMisuseError(`${where}: "path" expected "" or a path starting with "/", got ${JSON.stringify(path)}`);
  }
  const status = options.status;
  if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599)) {
    throw new DecoratorMisuseError(`${where}: "status" expected an integer from 200 to 599, got ${JSON.stringify(status)}`);
  }
  for (const key of SCHEMA_OPTION_KEYS) {
    const schema = options[key];
    if (schema !== undefined && !isStandardSchema(schema)) {
      throw new DecoratorMisuseError(`${where}: "${key}" expected a Standard Schema (e.g. a zod 4 schema), got ${typeof schema}`);
    }
  }
  for (const code of Object.keys(options.responses ?? {})) {
    if (!/^[1-5]\d\d$/.test(code)) throw new DecoratorMisuseError(`${where}: "responses" keys expected HTTP status codes, got ${JSON.stringify(code)}`);
  }
  if (options.openapi !== undefined) checkDocs(where, options.openapi);
  return (prototype, propertyKey, descriptor) => {
    if (typeof propertyKey !== "string" || typeof descriptor.value !== "function") {
      throw new DecoratorMisuseError(`${where} decorates methods with string names, not ${String(propertyKey)}`);
    }
    if (typeof prototype === "function") {
      throw new DecoratorMisuseError(`${where}: static method ${propertyKey} cannot be a route; make it an instance method`);
    }
    const owner = prototype.constructor;
    let routes = Reflect.getOwnMetadata(ROUTES_KEY, owner) as RouteRecord[] | undefined;
    if (!routes) {
      routes = [];
      Reflect.defineMetadata(ROUTES_KEY, routes, owner);
    }
    // Member decorators run in declaration order, so this list is the declaration order.
    routes.push({ method, path: normalizePath(path), handlerName: propertyKey, options });
  };
}

export const get = (path = "", options?: RouteOptions): MethodDecorator => route("GET", path, options);
export const post = (path = "", options?: RouteOptions): MethodDecorator => route("POST", path, options);
export const put = (path = "", options?: RouteOptions): MethodDecorator => route("PUT", path, options);
export const patch = (path = "", options?: RouteOptions): MethodDecorator => route("PATCH", path, options);
// `delete` is a reserved word: exported under that name from the barrel.
export const del = (path = "", options?: RouteOptions): MethodDecorator => route("DELETE", path, options);

export function getRouteRecords(controllerClass: Function): readonly RouteRecord[] {
  return (Reflect.getOwnMetadata(ROUTES_KEY, controllerClass) as RouteRecord[] | undefined) ?? [];
}

function checkDocs(where: string, docs: RouteDocs): void {
  if (!isPlainObject(docs)) throw new DecoratorMisuseError(`${where}: "openapi" expected an object, got ${kindOf(docs)}`);
  rejectUnknownOptions(`${where} "openapi"`, docs, DOCS_OPTION_KEYS);
  for (const key of ["body", "response", "securitySchemes"] as const) {
    if (docs[key] !== undefined && !isPlainObject(docs[key])) throw new DecoratorMisuseError(`${where}: "openapi.${key}" expected a JSON Schema object, got ${kindOf(docs[key])}`);
  }
  if (docs.bodyRequired !== undefined && typeof docs.bodyRequired !== "boolean") {
    throw new DecoratorMisuseError(`${where}: "openapi.bodyRequired" expected a boolean, got ${typeof docs.bodyRequired}`);
  }
  const types = docs.bodyContentTypes;
  if (types !== undefined && !(Array.isArray(types) && types.length > 0 && types.every((t) => typeof t === "string" && /^[\w.+-]+\/[\w.+-]+$/.test(t)))) {
    throw new DecoratorMisuseError(`${where}: "openapi.bodyContentTypes" expected a non-empty array of media types such as "application/json", got ${JSON.stringify(types)}`);
  }
  if (docs.security !== undefined && (!Array.isArray(docs.security) || !docs.security.every(isPlainObject))) {
    throw new DecoratorMisuseError(`${where}: "openapi.security" expected an array of security requirements, got ${JSON.stringify(docs.security)}`);
  }
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** FastAPI-style `{id}` segments become Hono's `:id`, so routes copied from upstream keep working. */
function normalizePath(path: string): string {
  return path.replace(/\/\{([A-Za-z_][A-Za-z0-9_]*)\}(?=\/|$)/g, "/:$1").replace(/\/+$/, "");
}

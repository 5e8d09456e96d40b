import type { Context } from "hono";
import { HTTPException } from "../errors.js";
import type { InferOutput, StandardSchemaV1 } from "../schema/standard-schema.js";
import { readFormOrJsonBody } from "./form-body.js";
import { isNoBody, readJsonBody } from "./route-input.js";
import type { RouteInput } from "./route-input.js";
import type { RouteDefinition } from "./route-definition.js";

type CleanParam<N extends string> = N extends `${infer Name}{${string}` ? Name : N extends `${infer Name}?` ? Name : N;
type SegmentParam<S extends string> = S extends `:${infer Param}` ? CleanParam<Param> : S extends `{${infer Param}}` ? Param : never;
/** Parameter names of a path, in Hono's `:id` form or FastAPI's `{id}` form. */
type ParamNames<P extends string> = P extends `${infer Head}/${infer Rest}` ? SegmentParam<Head> | ParamNames<Rest> : SegmentParam<P>;

/** `PathParams<"/items/:id">` is `{ id: string }`; a plain `string` path gives a string record. */
export type PathParams<P extends string> = string extends P ? Record<string, string> : { [K in ParamNames<P>]: string };

/** The schemas a route declares; pass `typeof options` (or `{ body: typeof Schema }`) to type the context. */
export interface RouteSchemas {
  readonly body?: StandardSchemaV1;
  readonly query?: StandardSchemaV1;
  readonly params?: StandardSchemaV1;
}

type Validated<S, K extends keyof RouteSchemas, Otherwise> = S extends { readonly [P in K]: infer X } ? (X extends StandardSchemaV1 ? InferOutput<X> : Otherwise) : Otherwise;

/**
 * What a handler receives: path parameters, query, body (validated and typed when the route declares
 * schemas) and setters for the response status and headers. `c` is Hono's own context.
 *
 * @example
 *   const Item = z.object({ name: z.string() });
 *   const createItem = { body: Item, status: 201 } as const;
 *
 *   @post("/items", createItem)
 *   create(ctx: RequestContext<"/items", typeof createItem>) { return save(ctx.body.name); }
 */
export class RequestContext<P extends string = string, S extends RouteSchemas = {}> {
  readonly c: Context;
  readonly route: RouteDefinition;
  readonly #input: RouteInput | undefined;
  #status: number | undefined;
  #headers: Map<string, string> | undefined;

  constructor(c: Context, route: RouteDefinition, input?: RouteInput) {
    this.c = c;
    this.route = route;
    this.#input = input;
  }

  /** Path parameters: validated by the `params` schema if the route has one, else strings. */
  get params(): Validated<S, "params", PathParams<P>> {
    return (this.route.options.params ? this.#input?.params : this.c.req.param()) as Validated<S, "params", PathParams<P>>;
  }

  /** Query: validated by the `query` schema if the route has one, else the first value of each name. */
  get query(): Validated<S, "query", Record<string, string>> {
    return (this.route.options.query ? this.#input?.query : this.c.req.query()) as Validated<S, "query", Record<string, string>>;
  }

  /** The body validated by the route's `body` schema. Routes without one read it with `json()`. */
  get body(): Validated<S, "body", never> {
    if (!this.route.options.body) {
      throw new TypeError(`${this.route.method} ${this.route.path} declares no body schema: use "await ctx.json()" or add { body: schema }`);
    }
    return this.#input?.body as Validated<S, "body", never>;
  }

  /** Every value of a repeated query parameter (`?tag=a&tag=b`). */
  queryAll(name: string): string[] {
    return this.c.req.queries(name) ?? [];
  }

  /** A request header (case-insensitive). */
  header(name: string): string | undefined {
    return this.c.req.header(name);
  }

  /** The JSON body, unvalidated; 415 when it is not JSON, 400 when it is empty or does not parse. */
  async json<T = unknown>(): Promise<T> {
    const body = await readJsonBody(this.c);
    if (isNoBody(body)) throw new HTTPException(400, "Expected a JSON body, got an empty body");
    return body as T;
  }

  /** Like `json()`, but an empty body is `undefined` instead of a 400: for bodies a route makes optional. */
  async optionalJson<T = unknown>(): Promise<T | undefined> {
    const body = await readJsonBody(this.c);
    return isNoBody(body) ? undefined : (body as T);
  }

  /**
   * The body as a map of strings, sent as a form (`application/x-www-form-urlencoded`) or as a JSON
   * object: for OAuth-style endpoints, which must take forms. 400 for an empty body, a repeated form
   * parameter or a JSON field that is not a string; 415 for any other content type. `json()` (and so
   * every other route) keeps refusing forms with a 415.
   */
  formOrJson(): Promise<Readonly<Record<string, string>>> {
    return readFormOrJsonBody(this.c);
  }

  /** Overrides the route's status for this response. */
  setStatus(status: number): this {
    // 1xx are interim responses Node sends itself; a handler's final answer is 200-599.
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`setStatus: "status" expected an integer from 200 to 599, got ${status}`);
    }
    this.#status = status;
    return this;
  }

  /** Sets a response header, also on a `Response` the handler returns itself. */
  setHeader(name: string, value: string): this {
    this.c.header(name, value);
    (this.#headers ??= new Map()).set(name, value);
    return this;
  }

  /** Headers set with `setHeader`, if any. */
  get headers(): ReadonlyMap<string, string> | undefined {
    return this.#headers;
  }

  /** The status set with `setStatus`, if any. */
  get status(): number | undefined {
    return this.#status;
  }
}

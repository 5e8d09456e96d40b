import type { Context } from "hono";
import { HTTPException } from "../errors.js";
import type { RouteDefinition } from "./route-definition.js";

type CleanParam<N extends string> = N extends `${infer Name}{${string}` ? Name : N extends `${infer Name}?` ? Name : N;
type ParamNames<P extends string> = P extends `${string}:${infer Param}/${infer Rest}`
  ? CleanParam<Param> | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Param}`
    ? CleanParam<Param>
    : never;

/** `PathParams<"/items/:id">` is `{ id: string }`; a plain `string` path gives a string record. */
export type PathParams<P extends string> = string extends P ? Record<string, string> : { [K in ParamNames<P>]: string };

/**
 * What a handler receives: typed path parameters, the query, the JSON body, and setters for the
 * response status and headers. `c` is Hono's own context for anything else.
 *
 * @example
 *   @get("/items/:id")
 *   item(ctx: RequestContext<"/items/:id">) { return { id: ctx.params.id }; }
 */
export class RequestContext<P extends string = string> {
  readonly c: Context;
  readonly route: RouteDefinition;
  #status: number | undefined;

  constructor(c: Context, route: RouteDefinition) {
    this.c = c;
    this.route = route;
  }

  get params(): PathParams<P> {
    return this.c.req.param() as PathParams<P>;
  }

  /** Query parameters; for a repeated name, the first value. */
  get query(): Record<string, string> {
    return this.c.req.query();
  }

  /** Every value of a repeated query parameter (`?tag=a&tag=b`). */
  queryAll(name: string): string[] {
    return this.c.req.queries(name) ?? [];
  }

  /** A request header (case-insensitive). */
  header(name: string): string | undefined {
    return this.c.req.header(name);
  }

  /** The JSON body; 415 when the request is not JSON, 400 when it does not parse. */
  async json<T = unknown>(): Promise<T> {
    const type = this.c.req.header("content-type") ?? "";
    if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
      throw new HTTPException(415, `Expected a JSON body (Content-Type: application/json), got ${type === "" ? "no Content-Type" : JSON.stringify(type)}`);
    }
    const text = await this.c.req.text();
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new HTTPException(400, `Malformed JSON body: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Overrides the route's status for this response. */
  setStatus(status: number): this {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new RangeError(`setStatus: "status" expected an integer from 100 to 599, got ${status}`);
    }
    this.#status = status;
    return this;
  }

  setHeader(name: string, value: string): this {
    this.c.header(name, value);
    return this;
  }

  /** The status set with `setStatus`, if any. */
  get status(): number | undefined {
    return this.#status;
  }
}

import type { Context } from "hono";
import type { Logger, PicoContainer } from "pico-ioc";
import type { ControllerDefinition } from "../metadata/controller.js";
import { ResponseValidationError, toValidationIssues } from "../schema/validation-error.js";
import { RequestContext } from "./request-context.js";
import type { RouteDefinition } from "./route-definition.js";
import { inputReader } from "./route-input.js";

type Handle = (this: unknown, ctx: RequestContext) => unknown;

/**
 * The Hono handler of one route. Everything that can be decided once is decided here: the bound method
 * of a singleton controller, whether inputs are validated, whether the response is.
 */
export function routeHandler(container: PicoContainer, controller: ControllerDefinition, route: RouteDefinition, logger: Logger): (c: Context) => Response | Promise<Response> {
  const readInput = inputReader(route);
  const finish = responder(route);
  const name = route.handlerName;
  if (controller.scope === "singleton") {
    const instance = container.get(controller.target) as Record<string, Handle>;
    const handle = (instance[name] as Handle).bind(instance);
    // Not async: a route without inputs and a synchronous handler answers without a promise of ours.
    const run = (ctx: RequestContext): Response | Promise<Response> => {
      const result = handle(ctx);
      return isThenable(result) ? Promise.resolve(result).then((value) => finish(ctx, value)) : finish(ctx, result);
    };
    return readInput ? (c) => readInput(c).then((input) => run(new RequestContext(c, route, input))) : (c) => run(new RequestContext(c, route));
  }
  return async (c) => {
    const ctx = new RequestContext(c, route, readInput && (await readInput(c)));
    const scope = container.createRequestScope();
    try {
      const instance = scope.get(controller.target) as Record<string, Handle>;
      return await finish(ctx, await (instance[name] as Handle).call(instance, ctx));
    } finally {
      // A failing cleanup is the server's problem, not this client's: log it, keep the response.
      await scope.dispose().catch((error: unknown) => logger.error(`Request-scope cleanup failed after ${route.method} ${route.path}`, { err: error }));
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

const NO_BODY_STATUSES = new Set([204, 205, 304]);

/** A returned Response passes through (plus `setHeader` headers); nothing → 204; anything else → JSON with the route's status. */
function responder(route: RouteDefinition): (ctx: RequestContext, result: unknown) => Response | Promise<Response> {
  const schema = route.options.response;
  const toResponse = (ctx: RequestContext, result: unknown): Response => {
    if (result instanceof Response) return withHeaders(result, ctx.headers);
    const status = ctx.status ?? route.options.status ?? (result === undefined ? 204 : 200);
    if (result === undefined || NO_BODY_STATUSES.has(status)) return ctx.c.body(null, status as never);
    return ctx.c.json(result as never, status as never);
  };
  if (!schema) return toResponse;
  return async (ctx, result) => {
    if (result instanceof Response || result === undefined) return toResponse(ctx, result);
    // Serialise through the schema so fields it does not declare never leak (upstream U3).
    const checked = await schema["~standard"].validate(result);
    if (checked.issues) throw new ResponseValidationError(`${route.method} ${route.path}`, toValidationIssues("response", checked.issues));
    return toResponse(ctx, checked.value);
  };
}

function withHeaders(response: Response, headers: ReadonlyMap<string, string> | undefined): Response {
  if (!headers) return response;
  // Responses from fetch() have immutable headers: copy into a new one.
  const copy = new Response(response.body, response);
  for (const [name, value] of headers) copy.headers.set(name, value);
  return copy;
}

import type { Context, Handler, MiddlewareHandler } from "hono";
import type { RouteInterceptor, WebExtension } from "./extension.js";
import type { RouteDefinition } from "./route-definition.js";

type Layer = { readonly middleware: MiddlewareHandler } | { readonly interceptor: RouteInterceptor };
type RouteHandler = (c: Context) => Response | Promise<Response>;

/**
 * The Hono handlers of one route: its extensions' middleware and interceptors in extension order,
 * the body limit, the handler. A route with interceptors only (every route behind the auth guard,
 * unless another extension adds middleware) is ONE handler, which Hono calls directly: no
 * middleware composition and its promises per request.
 */
export function routeChain(extensions: readonly WebExtension[], route: RouteDefinition, handler: RouteHandler, limitBody: RouteInterceptor | undefined): Handler[] {
  const layers: Layer[] = [];
  for (const extension of extensions) {
    const middleware = extension.routeMiddleware?.(route);
    if (middleware) layers.push({ middleware });
    const interceptor = extension.interceptRoute?.(route);
    if (interceptor) layers.push({ interceptor });
  }
  // Innermost: guards answer before a body is looked at (a 401 is not a 413).
  if (limitBody) layers.push({ interceptor: limitBody });
  if (layers.every((layer) => "interceptor" in layer)) {
    return [layers.reduceRight<RouteHandler>((inner, layer) => wrap((layer as { interceptor: RouteInterceptor }).interceptor, inner), handler)];
  }
  return [...layers.map((layer) => ("middleware" in layer ? layer.middleware : asMiddleware(layer.interceptor))), handler];
}

function wrap(interceptor: RouteInterceptor, inner: RouteHandler): RouteHandler {
  return (c) => interceptor(c, () => inner(c));
}

/** Among Hono middleware, an interceptor's `proceed()` is `next()`, and its answer becomes the response. */
function asMiddleware(interceptor: RouteInterceptor): MiddlewareHandler {
  return async (c, next) => {
    const response = await interceptor(c, async () => {
      await next();
      return c.res;
    });
    if (response === c.res) return;
    // Its answer as it is: assigning over a response would merge the old one's headers into it.
    c.res = undefined;
    c.res = response;
  };
}

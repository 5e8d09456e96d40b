import type { Context, Hono, MiddlewareHandler } from "hono";
import { createToken } from "pico-ioc";
import type { OpenApiContributor } from "../openapi/document.js";
import type { RouteDefinition } from "./route-definition.js";

/**
 * How another module plugs into the web layer. Provide one with
 * `@component({ provides: WEB_EXTENSION })`.
 *
 * Order, for a request that matches a route (lower `order` first, ties in module load order):
 *   1. app-wide middleware added by each extension's `configureApp`, outermost first;
 *   2. each extension's `routeMiddleware` and `interceptRoute` for that route, in the same order
 *      (an extension's middleware before its own interceptor);
 *   3. the handler.
 * `describeRoute`/`describeDocument` add to the OpenAPI document (e.g. a security scheme on guarded routes).
 * App-wide middleware also sees unmatched requests (they end in 404/405); guards that must only
 * run for real routes, such as authentication, belong in `routeMiddleware`.
 */
export interface WebExtension extends OpenApiContributor {
  /** Default 0. */
  readonly order?: number;
  /** Called once, before any controller route is registered. */
  configureApp?(app: Hono): void;
  /** Middleware for one route, or `undefined` to leave it alone. Read the route's decorators from `route.metadata(key)`. */
  routeMiddleware?(route: RouteDefinition): MiddlewareHandler | undefined;
  /**
   * An interceptor for one route, or `undefined`. Prefer it to `routeMiddleware` for guards on hot
   * routes: when a route has only interceptors, they and the handler are one plain function call
   * chain (no Hono middleware composition, no promise unless someone is asynchronous).
   */
  interceptRoute?(route: RouteDefinition): RouteInterceptor | undefined;
}

/**
 * Wraps a route's handler. Call `proceed()` for the route's response and return it (or another
 * response); throw to answer with an error instead. Return synchronously when you can: a promise
 * costs on every request. A handler's error may reach `proceed()`'s caller as a rejection or
 * already turned into its error response, depending on the route: do not catch to convert errors.
 */
export type RouteInterceptor = (c: Context, proceed: () => Response | Promise<Response>) => Response | Promise<Response>;

export const WEB_EXTENSION = createToken<WebExtension>("WebExtension");

export function inExtensionOrder(extensions: readonly WebExtension[]): WebExtension[] {
  return extensions
    .map((extension, index) => ({ extension, index }))
    .sort((a, b) => (a.extension.order ?? 0) - (b.extension.order ?? 0) || a.index - b.index)
    .map((e) => e.extension);
}

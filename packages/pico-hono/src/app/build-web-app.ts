import { Hono } from "hono";
import type { Handler, MiddlewareHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import type { Constructor, Logger, PicoContainer } from "pico-ioc";
import { NoControllersError, RouteConflictError } from "../errors.js";
import { getControllerDefinition } from "../metadata/controller.js";
import type { ControllerDefinition } from "../metadata/controller.js";
import { getRouteRecords } from "../metadata/routes.js";
import type { HttpMethod } from "../metadata/routes.js";
import { errorResponse } from "./error-response.js";
import { WEB_EXTENSION, inExtensionOrder } from "./extension.js";
import { RequestContext } from "./request-context.js";
import { createRouteDefinition, inMatchingOrder, joinPath, pathShape } from "./route-definition.js";
import type { RouteDefinition } from "./route-definition.js";

export interface WebApp {
  readonly hono: Hono;
  /** Every route in declaration order (controllers in load order, methods in source order). */
  readonly routes: readonly RouteDefinition[];
}

type Handle = (this: unknown, ctx: RequestContext) => unknown;

/**
 * Mounts every controller on one Hono app. Singleton controllers are resolved once here, so a request
 * does no container work; request-scoped ones get a fresh request scope per request.
 */
export function buildWebApp(container: PicoContainer, controllerClasses: readonly Constructor[], logger: Logger): WebApp {
  const controllers = controllerClasses.map((target) => {
    const definition = getControllerDefinition(target);
    if (!definition) throw new TypeError(`${target.name} is not a controller: decorate it with @controller()`);
    return definition;
  });
  if (controllers.length === 0) throw new NoControllersError();

  const routes = controllers.flatMap((definition) => routesOf(definition));
  rejectDuplicates(routes);

  const hono = new Hono();
  const extensions = inExtensionOrder(container.getAll(WEB_EXTENSION));
  for (const extension of extensions) extension.configureApp?.(hono);

  const byController = new Map(controllers.map((d) => [d.target, d]));
  for (const route of inMatchingOrder(routes)) {
    const definition = byController.get(route.controller) as ControllerDefinition;
    const guards = extensions
      .map((extension) => extension.routeMiddleware?.(route))
      .filter((m): m is MiddlewareHandler => m !== undefined);
    const handlers: Handler[] = [...guards, routeHandler(container, definition, route)];
    hono.on(route.method, [route.path], ...(handlers as [Handler]));
  }

  const allowed = allowedMethodsIndex(routes);
  hono.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods.length === 0) return c.json({ detail: "Not Found" }, 404);
    return c.json({ detail: "Method Not Allowed" }, 405, { Allow: methods.join(", ") });
  });
  hono.onError((error, c) => errorResponse(error, c, logger));
  return { hono, routes };
}

function routesOf(definition: ControllerDefinition): RouteDefinition[] {
  return getRouteRecords(definition.target).map((record) =>
    createRouteDefinition({
      method: record.method,
      path: joinPath(definition.prefix, record.path),
      controller: definition.target,
      handlerName: record.handlerName,
      options: record.options,
      tags: [...definition.tags, ...(record.options.tags ?? [])],
    }),
  );
}

function routeHandler(container: PicoContainer, definition: ControllerDefinition, route: RouteDefinition): Handler {
  const name = route.handlerName;
  if (definition.scope === "singleton") {
    const instance = container.get(definition.target) as Record<string, Handle>;
    const handle = (instance[name] as Handle).bind(instance);
    return async (c) => {
      const ctx = new RequestContext(c, route);
      return respond(ctx, await handle(ctx));
    };
  }
  return async (c) => {
    const scope = container.createRequestScope();
    try {
      const instance = scope.get(definition.target) as Record<string, Handle>;
      const ctx = new RequestContext(c, route);
      return respond(ctx, await (instance[name] as Handle).call(instance, ctx));
    } finally {
      await scope.dispose();
    }
  };
}

/** A returned Response passes through; nothing → 204; anything else → JSON with the route's status. */
function respond(ctx: RequestContext, result: unknown): Response {
  if (result instanceof Response) return result;
  const c = ctx.c;
  const status = ctx.status ?? ctx.route.options.status ?? (result === undefined ? 204 : 200);
  if (result === undefined || status === 204 || status === 304) return c.body(null, status as never);
  return c.json(result as never, status as never);
}

function rejectDuplicates(routes: readonly RouteDefinition[]): void {
  const seen = new Map<string, RouteDefinition>();
  for (const route of routes) {
    const key = `${route.method} ${pathShape(route.path)}`;
    const first = seen.get(key);
    if (first) {
      throw new RouteConflictError(route.method, route.path, `${first.controller.name}.${first.handlerName}`, `${route.controller.name}.${route.handlerName}`);
    }
    seen.set(key, route);
  }
}

/** For 405: which methods some route accepts at this path. Consulted only when no route matched. */
function allowedMethodsIndex(routes: readonly RouteDefinition[]): (path: string) => HttpMethodOrHead[] {
  const router = new TrieRouter<HttpMethod>();
  for (const route of routes) router.add("ALL", route.path, route.method);
  return (path) => {
    const methods = new Set<HttpMethodOrHead>(router.match("GET", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods];
  };
}

type HttpMethodOrHead = HttpMethod | "HEAD";

import { Hono } from "hono";
import type { Handler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import type { Constructor, Logger, PicoContainer } from "pico-ioc";
import { mountSwaggerUi } from "../docs/swagger-ui.js";
import { NoControllersError, RouteConflictError } from "../errors.js";
import { getControllerDefinition } from "../metadata/controller.js";
import type { ControllerDefinition } from "../metadata/controller.js";
import { getRouteRecords } from "../metadata/routes.js";
import { buildOpenApiDocument } from "../openapi/document.js";
import type { OpenApiDocument } from "../openapi/document.js";
import { WebSettings } from "../web-settings.js";
import { accessLog, identify, identifyRequest } from "./access-log.js";
import { errorResponse } from "./error-response.js";
import { WEB_EXTENSION, inExtensionOrder } from "./extension.js";
import { createRouteDefinition, inMatchingOrder, joinPath, pathShape } from "./route-definition.js";
import type { RouteDefinition } from "./route-definition.js";
import { bodyLimitInterceptor } from "./request-body.js";
import { routeChain } from "./route-chain.js";
import { routeHandler } from "./route-handler.js";

export interface WebApp {
  readonly hono: Hono;
  /** Every controller route in declaration order (controllers in load order, methods in source order). */
  readonly routes: readonly RouteDefinition[];
  /** The OpenAPI document, built on first use (also what `web.openapi_url` serves). */
  openApiDocument(): OpenApiDocument;
}

export interface WebAppOptions {
  /** Write the access log (one info line per request). Off: only the request id. Default on. */
  readonly accessLog?: boolean;
}

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Mounts every controller on one Hono app, plus the OpenAPI document and the docs page. Singleton
 * controllers are resolved once here, so a request does no container work.
 */
export function buildWebApp(container: PicoContainer, controllerClasses: readonly Constructor[], logger: Logger, options: WebAppOptions = {}): WebApp {
  const controllers = controllerClasses.map((target) => {
    const definition = getControllerDefinition(target);
    if (!definition) throw new TypeError(`${target.name} is not a controller: decorate it with @controller()`);
    return definition;
  });
  if (controllers.length === 0) throw new NoControllersError();
  const settings = container.has(WebSettings) ? container.get(WebSettings) : new WebSettings();
  const routes = controllers.flatMap((definition) => routesOf(definition));
  const extensions = inExtensionOrder(container.getAll(WEB_EXTENSION));

  let document: OpenApiDocument | undefined;
  const openApiDocument = (): OpenApiDocument => (document ??= buildOpenApiDocument(routes, settings, extensions));

  const hono = new Hono();
  // The access log (or, when it is off, the request id) comes first, so that every response carries
  // the request id, whoever answers it. Off, and with no other app-wide middleware, each route sets
  // the id itself instead: a route of one handler then stays one, which Hono calls directly (an
  // app-wide middleware makes every request a composed, asynchronous chain: ~10 % of a cached GET).
  const logRequests = options.accessLog ?? true;
  const idPerRoute = !logRequests && !extensions.some((extension) => extension.configureApp);
  if (!idPerRoute) hono.use(accessLog(logger, { enabled: logRequests }));
  for (const extension of extensions) extension.configureApp?.(hono);
  if (idPerRoute) for (const path of docsPaths(settings)) hono.use(path, identifyRequest);
  const docPaths = mountDocs(hono, settings, openApiDocument);
  rejectDuplicates(routes, docPaths);

  const byController = new Map(controllers.map((d) => [d.target, d]));
  // Connection: close: the rest of an unread body would otherwise be taken for the next request.
  const limitBody = bodyLimitInterceptor(settings.bodyLimit, (c) => c.json({ detail: `Request body is larger than the limit of ${settings.bodyLimit} bytes` }, 413, { Connection: "close" }));
  for (const route of inMatchingOrder(routes)) {
    const handler = routeHandler(container, byController.get(route.controller) as ControllerDefinition, route, logger);
    const chain = routeChain(extensions, route, handler, METHODS_WITH_BODY.has(route.method) ? limitBody : undefined);
    const [first, ...rest] = idPerRoute ? withRequestId(chain) : chain;
    hono.on(route.method, [route.path], first as never, ...(rest as never[]));
  }

  const allowed = allowedMethodsIndex([...routes, ...docPaths.map((path) => ({ method: "GET" as const, path }))]);
  hono.notFound((c) => {
    if (idPerRoute) identify(c);
    const methods = allowed(c.req.path);
    if (methods.length === 0) return c.json({ detail: "Not Found" }, 404);
    return c.json({ detail: "Method Not Allowed" }, 405, { Allow: methods.join(", ") });
  });
  hono.onError((error, c) => errorResponse(error, c, logger));
  return { hono, routes, openApiDocument };
}

/** A route's handlers, the first of which sets the request id: still one handler if it was one. */
function withRequestId(chain: readonly Handler[]): Handler[] {
  const [only, ...more] = chain;
  if (more.length > 0 || !only) return [identifyRequest, ...chain];
  return [(c, next) => {
    identify(c);
    return only(c, next);
  }];
}

/** Where the docs are served (see mountDocs), for the request id ahead of their handlers. */
function docsPaths(settings: WebSettings): string[] {
  if (settings.openapiUrl === "") return [];
  return settings.docsUrl === "" ? [settings.openapiUrl] : [settings.openapiUrl, settings.docsUrl, `${settings.docsUrl.replace(/\/$/, "")}/*`];
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

/** The document and docs page are plain routes: no extension guards them, so they stay public. */
function mountDocs(hono: Hono, settings: WebSettings, openApiDocument: () => OpenApiDocument): string[] {
  if (settings.openapiUrl === "") return [];
  hono.get(settings.openapiUrl, (c) => c.json(openApiDocument()));
  if (settings.docsUrl === "") return [settings.openapiUrl];
  return [settings.openapiUrl, ...mountSwaggerUi(hono, settings.docsUrl, settings.openapiUrl, settings.title)];
}

function rejectDuplicates(routes: readonly RouteDefinition[], docPaths: readonly string[]): void {
  const seen = new Map<string, string>(docPaths.map((path) => [`GET ${pathShape(path)}`, "the API docs (web.docs_url / web.openapi_url)"]));
  for (const route of routes) {
    const key = `${route.method} ${pathShape(route.path)}`;
    const name = `${route.controller.name}.${route.handlerName}`;
    const first = seen.get(key);
    if (first) throw new RouteConflictError(route.method, route.path, first, name);
    seen.set(key, name);
  }
}

/** For 405: which methods some route accepts at this path. Consulted only when no route matched. */
function allowedMethodsIndex(routes: readonly { readonly method: string; readonly path: string }[]): (path: string) => string[] {
  const router = new TrieRouter<string>();
  for (const route of routes) router.add("ALL", route.path, route.method);
  return (path) => {
    const methods = new Set(router.match("GET", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods];
  };
}

import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { METRICS, noMetrics } from "pico-ioc";
import type { Constructor, Logger, PicoContainer } from "pico-ioc";
import { mountSwaggerUi } from "../docs/swagger-ui.js";
import { NoControllersError, RouteConflictError } from "../errors.js";
import { mountHealth } from "../health/mount-health.js";
import { readinessChecks } from "../health/readiness.js";
import { METRICS_PATH, metricsHandler } from "../metrics/metrics-endpoint.js";
import type { MetricsExposition } from "../metrics/metrics-endpoint.js";
import { markRoute, timeRequests } from "../metrics/request-duration.js";
import { getControllerDefinition } from "../metadata/controller.js";
import type { ControllerDefinition } from "../metadata/controller.js";
import { getRouteRecords } from "../metadata/routes.js";
import { buildOpenApiDocument, routeSecuritySchemes } from "../openapi/document.js";
import type { OpenApiDocument } from "../openapi/document.js";
import { WebSettings } from "../web-settings.js";
import { checkWebSettings } from "../web-settings-check.js";
import { corsMiddleware } from "./cors.js";
import { accessLog } from "./access-log.js";
import { errorResponse } from "./error-response.js";
import { WEB_EXTENSION, inExtensionOrder } from "./extension.js";
import { createRouteDefinition, inMatchingOrder, joinPath, pathShape } from "./route-definition.js";
import type { RouteDefinition } from "./route-definition.js";
import { bodyLimitInterceptor } from "./request-body.js";
import { routeChain } from "./route-chain.js";
import { routeHandler } from "./route-handler.js";
import { StaticPathRouter } from "./static-path-router.js";

export interface WebApp {
  readonly hono: Hono;
  /** Every controller route in declaration order (controllers in load order, methods in source order). */
  readonly routes: readonly RouteDefinition[];
  /** The OpenAPI document, built on first use (also what `web.openapi_url` serves). */
  openApiDocument(): OpenApiDocument;
}

export interface WebAppOptions {
  /** Served at `GET /metrics` on this app when `web.metrics` is on and `web.metrics_port` is 0. */
  readonly metrics?: MetricsExposition;
  /** Write the access log (one info line per request). Default on; off, no middleware is added for it. */
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

  // The one part of the document that can be wrong is checked now, so it fails boot, not a request.
  routeSecuritySchemes(routes);
  let document: OpenApiDocument | undefined;
  const openApiDocument = (): OpenApiDocument => (document ??= buildOpenApiDocument(routes, settings, extensions));

  checkWebSettings(settings);
  const hono = new Hono({ router: new StaticPathRouter() });
  // The access log first, so that it sees every answer and times the whole request. Off, nothing is
  // added: on Node the request id is set on the response by pico-boot's server (assignRequestId), and
  // an app-wide middleware would make every request a composed, asynchronous chain (~10 % of a cached GET).
  if (options.accessLog ?? true) hono.use(accessLog(logger));
  // Then, before any extension: preflights answer without a token, and every answer (404, 401, 413, errors) carries the CORS headers.
  const cors = corsMiddleware(settings.corsOrigins);
  if (cors) hono.use(cors);
  for (const extension of extensions) extension.configureApp?.(hono);
  const builtIn = [
    ...mountDocs(hono, settings, openApiDocument).map((path) => ({ path, by: "the API docs (web.docs_url / web.openapi_url)" })),
    ...mountHealth(hono, readinessChecks(container), settings.readinessTimeoutMs, logger).map((path) => ({ path, by: "the health probes" })),
    ...mountMetrics(hono, settings, options.metrics).map((path) => ({ path, by: "the metrics endpoint (web.metrics)" })),
  ];
  rejectDuplicates(routes, builtIn);

  const byController = new Map(controllers.map((d) => [d.target, d]));
  // Connection: close: the rest of an unread body would otherwise be taken for the next request.
  const limitBody = bodyLimitInterceptor(settings.bodyLimit, (c) => c.json({ detail: `Request body is larger than the limit of ${settings.bodyLimit} bytes` }, 413, { Connection: "close" }));
  for (const route of inMatchingOrder(routes)) {
    const handler = routeHandler(container, byController.get(route.controller) as ControllerDefinition, route, logger);
    const [first, ...rest] = routeChain(extensions, route, handler, METHODS_WITH_BODY.has(route.method) ? limitBody : undefined);
    const head = settings.metrics ? markRoute(route.path, first as MiddlewareHandler) : first;
    hono.on(route.method, [route.path], head as never, ...(rest as never[]));
  }

  const allowed = allowedMethodsIndex([...routes, ...builtIn.map(({ path }) => ({ method: "GET" as const, path }))]);
  hono.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods.length === 0) return c.json({ detail: "Not Found" }, 404);
    return c.json({ detail: "Method Not Allowed" }, 405, { Allow: methods.join(", ") });
  });
  hono.onError((error, c) => errorResponse(error, c, logger));
  // Around everything, once every route is registered; while off, nothing is wired at all.
  if (settings.metrics) timeRequests(hono, container.has(METRICS) ? container.get(METRICS) : noMetrics);
  return { hono, routes, openApiDocument };
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

/** The document and docs page (like the health probes and /metrics) are plain routes: no extension guards them, so they stay public. */
function mountDocs(hono: Hono, settings: WebSettings, openApiDocument: () => OpenApiDocument): string[] {
  if (settings.openapiUrl === "") return [];
  hono.get(settings.openapiUrl, (c) => c.json(openApiDocument()));
  if (settings.docsUrl === "") return [settings.openapiUrl];
  return [settings.openapiUrl, ...mountSwaggerUi(hono, settings.docsUrl, settings.openapiUrl, settings.title)];
}

/** `/metrics` on the main port, when it is served there (pico-boot serves it on its own port otherwise). */
function mountMetrics(hono: Hono, settings: WebSettings, exposition: MetricsExposition | undefined): string[] {
  if (!settings.metrics || settings.metricsPort !== 0 || !exposition) return [];
  hono.get(METRICS_PATH, metricsHandler(exposition, settings.metricsBearer));
  return [METRICS_PATH];
}

function rejectDuplicates(routes: readonly RouteDefinition[], builtIn: readonly { readonly path: string; readonly by: string }[]): void {
  const seen = new Map<string, string>(builtIn.map(({ path, by }) => [`GET ${pathShape(path)}`, by]));
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

/**
 * pico-hono: decorated controllers on Hono, validated inputs and generated OpenAPI docs.
 * @module
 */
export { controller, getControllerDefinition } from "./metadata/controller.js";
export { get, post, put, patch, del as delete, del, getRouteRecords } from "./metadata/routes.js";
export { getOwnRouteMetadata, setRouteMetadata } from "./metadata/route-metadata.js";
export { buildWebApp } from "./app/build-web-app.js";
export { RequestContext } from "./app/request-context.js";
export { incomingMessage } from "./app/node-request.js";
export { accessLog } from "./app/access-log.js";
export { REQUEST_ID_HEADER, assignRequestId, ensureRequestId, requestId } from "./app/request-id.js";
export { WEB_EXTENSION } from "./app/extension.js";
export { WebSettings } from "./web-settings.js";
export { ClientAddresses, IN_PROCESS_CLIENT, MAX_FORWARDED_HOPS } from "./client/client-addresses.js";
export { PROXY_RANGE_NAMES, trustedProxies } from "./client/trusted-proxies.js";
export { nodeAddress, parseForwarded, parseXForwardedFor } from "./client/forwarded-header.js";
export { canonicalIp } from "./client/ip-address.js";
export { addressKey } from "./client/address-key.js";
export { READINESS_CHECK } from "./health/readiness.js";
export { HEALTH_PATH, READY_PATH } from "./health/mount-health.js";
export { READINESS_CACHE_MS } from "./health/readiness-probe.js";
export { METRICS_PATH, metricsHandler } from "./metrics/metrics-endpoint.js";
export { REQUEST_DURATION_BUCKETS, UNMATCHED_ROUTE } from "./metrics/request-duration.js";
export { isStandardSchema } from "./schema/standard-schema.js";
export { PicoHonoError, HTTPException, InvalidWebSettingError, NoControllersError, RouteConflictError } from "./errors.js";
export { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, corsMiddleware } from "./app/cors.js";
export { RequestValidationError, ResponseValidationError } from "./schema/validation-error.js";

export type { ControllerDefinition, ControllerOptions } from "./metadata/controller.js";
export type { HttpMethod, JsonSchema, RouteDocs, RouteOptions, RouteRecord } from "./metadata/routes.js";
export type { RouteDefinition } from "./app/route-definition.js";
export type { PathParams, RouteSchemas } from "./app/request-context.js";
export type { RouteInterceptor, WebExtension } from "./app/extension.js";
export type { WebApp, WebAppOptions } from "./app/build-web-app.js";
export type { ReadinessCheck } from "./health/readiness.js";
export type { CheckResults, Readiness } from "./health/readiness-probe.js";
export type { MetricsExposition } from "./metrics/metrics-endpoint.js";
export type { OpenApiContributor, OpenApiDocument, OpenApiOperation } from "./openapi/document.js";
export type { InferOutput, StandardIssue, StandardSchemaV1 } from "./schema/standard-schema.js";
export type { ValidationIssue } from "./schema/validation-error.js";
export type { PicoHonoErrorCode, ResponseFields } from "./errors.js";
export type { ForwardedHop } from "./client/forwarded-header.js";
export type { ProxyTest } from "./client/trusted-proxies.js";

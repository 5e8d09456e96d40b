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
export { REQUEST_ID_HEADER, requestId } from "./app/request-id.js";
export { WEB_EXTENSION } from "./app/extension.js";
export { WebSettings } from "./web-settings.js";
export { isStandardSchema } from "./schema/standard-schema.js";
export { PicoHonoError, HTTPException, NoControllersError, RouteConflictError } from "./errors.js";
export { RequestValidationError, ResponseValidationError } from "./schema/validation-error.js";

export type { ControllerDefinition, ControllerOptions } from "./metadata/controller.js";
export type { HttpMethod, RouteOptions, RouteRecord } from "./metadata/routes.js";
export type { RouteDefinition } from "./app/route-definition.js";
export type { PathParams, RouteSchemas } from "./app/request-context.js";
export type { RouteInterceptor, WebExtension } from "./app/extension.js";
export type { WebApp, WebAppOptions } from "./app/build-web-app.js";
export type { AccessLogOptions } from "./app/access-log.js";
export type { OpenApiContributor, OpenApiDocument, OpenApiOperation } from "./openapi/document.js";
export type { InferOutput, StandardIssue, StandardSchemaV1 } from "./schema/standard-schema.js";
export type { ValidationIssue } from "./schema/validation-error.js";
export type { PicoHonoErrorCode } from "./errors.js";

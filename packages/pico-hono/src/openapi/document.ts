import type { RouteDefinition } from "../app/route-definition.js";
import { toJsonSchema } from "../schema/standard-schema.js";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import { DecoratorMisuseError } from "pico-ioc";
import { defaultReason } from "../errors.js";
import type { WebSettings } from "../web-settings.js";
import { pathParameterNames, toOpenApiPath } from "./paths.js";

export type JsonObject = Record<string, unknown>;

export interface OpenApiOperation extends JsonObject {
  operationId: string;
  tags?: string[];
  summary?: string;
  description?: string;
  deprecated?: boolean;
  parameters?: JsonObject[];
  requestBody?: JsonObject;
  responses: Record<string, JsonObject>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument extends JsonObject {
  openapi: "3.1.0";
  info: { title: string; version: string; description?: string };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes?: Record<string, JsonObject> };
}

/** Lets extensions (e.g. authentication) add to what the document says about a route, or to the document. */
export interface OpenApiContributor {
  describeRoute?(route: RouteDefinition, operation: OpenApiOperation): void;
  describeDocument?(document: OpenApiDocument): void;
}

const ERROR_SCHEMA = { $ref: "#/components/schemas/HTTPError" };
const JSON_TYPE = "application/json";

/** The answers every route that reads a JSON body can give (route-input.ts, the body limit). */
const BODY_ANSWERS = [
  ["400", "Malformed JSON body"],
  ["413", "Request body larger than web.body_limit"],
  ["415", "Not a JSON body (Content-Type: application/json expected)"],
] as const;
const VALIDATION_ERROR_SCHEMA = { $ref: "#/components/schemas/HTTPValidationError" };

/** The OpenAPI 3.1 document of `routes`, in declaration order. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], settings: WebSettings, contributors: readonly OpenApiContributor[]): OpenApiDocument {
  const document: OpenApiDocument = {
    openapi: "3.1.0",
    info: { title: settings.title, version: settings.version, ...(settings.description ? { description: settings.description } : {}) },
    // Relative: the server that serves the document, behind whatever proxy or prefix it is reached.
    servers: [{ url: "/" }],
    tags: [...new Set(routes.flatMap((r) => r.tags))].map((name) => ({ name })),
    paths: {},
    components: { schemas: { HTTPError: httpErrorSchema() } },
  };
  const schemes = routeSecuritySchemes(routes);
  if (Object.keys(schemes).length > 0) document.components.securitySchemes = schemes;
  const operationIds = new Set<string>();
  for (const route of routes) {
    const operation = describeOperation(route, uniqueId(`${route.controller.name}_${route.handlerName}`, operationIds));
    if (operation.responses["422"]) document.components.schemas.HTTPValidationError ??= validationErrorSchema();
    for (const contributor of contributors) contributor.describeRoute?.(route, operation);
    const path = toOpenApiPath(route.path);
    document.paths[path] ??= {};
    (document.paths[path] as Record<string, OpenApiOperation>)[route.method.toLowerCase()] = operation;
  }
  for (const contributor of contributors) contributor.describeDocument?.(document);
  return document;
}

function describeOperation(route: RouteDefinition, operationId: string): OpenApiOperation {
  const { options } = route;
  const operation: OpenApiOperation = { operationId, responses: {} };
  if (route.tags.length > 0) operation.tags = [...route.tags];
  // FastAPI's default: docs UIs and linters want a summary, and the handler's name is a fair one.
  operation.summary = options.summary ?? humanize(route.handlerName);
  if (options.description) operation.description = options.description;
  if (options.deprecated) operation.deprecated = true;

  const parameters = [...pathParameters(route), ...queryParameters(options.query)];
  if (parameters.length > 0) operation.parameters = parameters;
  const docs = options.openapi ?? {};
  const body = docs.body ?? (options.body && schemaOf(options.body, "input"));
  const bodyTypes = docs.bodyContentTypes ?? [JSON_TYPE];
  if (body) {
    operation.requestBody = { required: docs.bodyRequired ?? true, content: Object.fromEntries(bodyTypes.map((type) => [type, { schema: body }])) };
  }
  if (docs.security) operation.security = docs.security.map((requirement) => Object.fromEntries(Object.entries(requirement).map(([name, scopes]) => [name, [...scopes]])));

  const status = options.status ?? 200;
  const response = docs.response ?? (options.response ? schemaOf(options.response, "output") : {});
  operation.responses[String(status)] =
    status === 204 || status === 304
      ? { description: defaultReason(status) }
      : { description: "Successful Response", content: { "application/json": { schema: response } } };
  if (options.body || options.query || options.params) {
    operation.responses["422"] = { description: "Validation Error", content: { "application/json": { schema: VALIDATION_ERROR_SCHEMA } } };
  }
  // What the framework itself answers for a JSON body, before the handler: a route's own description wins.
  if (body) {
    for (const [code, description] of BODY_ANSWERS) operation.responses[code] = { description, content: { "application/json": { schema: ERROR_SCHEMA } } };
    if (docs.bodyContentTypes) operation.responses["415"] = { description: `Content-Type not one of ${bodyTypes.join(", ")}`, content: { "application/json": { schema: ERROR_SCHEMA } } };
  }
  for (const [code, description] of Object.entries(options.responses ?? {})) {
    operation.responses[code] = { description, content: { "application/json": { schema: ERROR_SCHEMA } } };
  }
  return operation;
}

/**
 * The security schemes that routes define themselves (route option `openapi.securitySchemes`). Two
 * routes may name one scheme only if they define it alike: checked at boot (buildWebApp calls this),
 * though the document itself is built on first use.
 */
export function routeSecuritySchemes(routes: readonly RouteDefinition[]): Record<string, JsonObject> {
  const schemes: Record<string, JsonObject> = {};
  for (const route of routes) {
    for (const [name, scheme] of Object.entries(route.options.openapi?.securitySchemes ?? {})) {
      const known = schemes[name];
      if (known && JSON.stringify(known) !== JSON.stringify(scheme)) {
        throw new DecoratorMisuseError(`${route.controller.name}.${route.handlerName}: security scheme "${name}" is defined otherwise by another route: ${JSON.stringify(known)}`);
      }
      schemes[name] = { ...scheme };
    }
  }
  return schemes;
}

/** `adminDashboard` → "Admin Dashboard", `get_items` → "Get Items". */
function humanize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_]+/)
    .filter((word) => word !== "")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

function pathParameters(route: RouteDefinition): JsonObject[] {
  const properties = propertiesOf(route.options.params);
  return pathParameterNames(route.path).map((name) => ({ name, in: "path", required: true, schema: properties.schemas[name] ?? { type: "string" } }));
}

function queryParameters(schema: StandardSchemaV1 | undefined): JsonObject[] {
  const properties = propertiesOf(schema);
  return Object.entries(properties.schemas).map(([name, property]) => {
    // A schema's description belongs to the parameter in OpenAPI, where docs UIs show it.
    const { description, ...schema } = property as { description?: string; type?: unknown };
    return {
      name,
      in: "query",
      required: properties.required.has(name),
      ...(description ? { description } : {}),
      schema,
      ...(schema.type === "array" ? { style: "form", explode: true } : {}),
    };
  });
}

function propertiesOf(schema: StandardSchemaV1 | undefined): { schemas: Record<string, JsonObject>; required: Set<string> } {
  const json = schema ? toJsonSchema(schema, "input") : undefined;
  return {
    schemas: (json?.properties ?? {}) as Record<string, JsonObject>,
    required: new Set((json?.required ?? []) as string[]),
  };
}

function schemaOf(schema: StandardSchemaV1, io: "input" | "output"): JsonObject {
  return toJsonSchema(schema, io) ?? {};
}

function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  taken.add(id);
  return id;
}

function httpErrorSchema(): JsonObject {
  return { type: "object", properties: { detail: { type: "string" } }, required: ["detail"] };
}

function validationErrorSchema(): JsonObject {
  return {
    type: "object",
    properties: {
      detail: {
        type: "array",
        items: {
          type: "object",
          properties: {
            loc: { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
            msg: { type: "string" },
            type: { type: "string" },
          },
          required: ["loc", "msg", "type"],
        },
      },
    },
    required: ["detail"],
  };
}

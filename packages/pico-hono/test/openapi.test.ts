import { describe, expect, it } from "vitest";
import { PicoContainer, component } from "pico-ioc";
import { z } from "zod";
import { WEB_EXTENSION, WebSettings, buildWebApp, controller, del, get, post, setRouteMetadata } from "../src/index.js";
import type { OpenApiDocument, OpenApiOperation, RouteDefinition, WebExtension } from "../src/index.js";
import { capturingLogger, json } from "./web-app.js";

const PUBLIC = Symbol("public");

@controller({ prefix: "/shop", tags: ["Shop"] })
class Shop {
  @get("/items/:id", { summary: "One item", params: z.object({ id: z.number().int() }), response: z.object({ name: z.string() }), responses: { 404: "No such item" } })
  one() {}
  @setRouteMetadata(PUBLIC, true)
  @get("/items", { summary: "Search", description: "Full text", query: z.object({ q: z.string(), tag: z.array(z.string()).optional() }) })
  search() {}
  @post("/items", { status: 201, body: z.object({ name: z.string() }), tags: ["Admin"], deprecated: true })
  create() {}
  @del("/items/:id", { status: 204 })
  remove() {}
}

@component({ provides: WEB_EXTENSION })
class BearerDocs implements WebExtension {
  describeRoute(route: RouteDefinition, operation: OpenApiOperation) {
    if (!route.metadata(PUBLIC)) operation.security = [{ bearer: [] }];
  }
  describeDocument(document: OpenApiDocument) {
    document.components.securitySchemes = { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } };
  }
}

async function app(config: Record<string, unknown> = {}) {
  const container = await PicoContainer.create({ components: [WebSettings, BearerDocs, Shop], config, env: {} });
  return buildWebApp(container, [Shop], capturingLogger());
}

describe("OpenAPI document", () => {
  it("describes every route in declaration order with schemas, tags, errors and extension security", async () => {
    const { hono } = await app({ web: { title: "Shop API", version: "2.1.0", description: "Things to buy" } });
    const document = (await json(await hono.request("/openapi.json"))) as OpenApiDocument;
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toEqual({ title: "Shop API", version: "2.1.0", description: "Things to buy" });
    expect(document.tags).toEqual([{ name: "Shop" }, { name: "Admin" }]);
    expect(Object.keys(document.paths)).toEqual(["/shop/items/{id}", "/shop/items"]);
    expect(Object.keys(document.paths["/shop/items"] ?? {})).toEqual(["get", "post"]);

    const one = document.paths["/shop/items/{id}"]?.get as OpenApiOperation;
    expect(one.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } }]);
    expect(one.responses["200"]).toEqual({
      description: "Successful Response",
      content: { "application/json": { schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: false } } },
    });
    expect(one.responses["404"]).toEqual({ description: "No such item", content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPError" } } } });
    expect(one.responses["422"]).toMatchObject({ description: "Validation Error" });
    expect(one.security).toEqual([{ bearer: [] }]);

    const search = document.paths["/shop/items"]?.get as OpenApiOperation;
    expect(search).toMatchObject({ operationId: "Shop_search", summary: "Search", description: "Full text", tags: ["Shop"] });
    expect(search.parameters).toEqual([
      { name: "q", in: "query", required: true, schema: { type: "string" } },
      { name: "tag", in: "query", required: false, schema: { type: "array", items: { type: "string" } }, style: "form", explode: true },
    ]);
    expect(search.security).toBeUndefined();

    const create = document.paths["/shop/items"]?.post as OpenApiOperation;
    expect(create).toMatchObject({ tags: ["Shop", "Admin"], deprecated: true });
    expect(create.requestBody).toMatchObject({ required: true, content: { "application/json": { schema: { type: "object", required: ["name"] } } } });
    expect(Object.keys(create.responses)).toEqual(["201", "400", "413", "415", "422"]);

    const remove = document.paths["/shop/items/{id}"]?.delete as OpenApiOperation;
    expect(remove.responses).toEqual({ "204": { description: "No Content" } });
    expect(remove.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
    expect(document.components.securitySchemes).toEqual({ bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } });
  });

  it("serves the docs page and its assets from our own server", async () => {
    const { hono } = await app({ web: { title: "Shop <API>" } });
    const page = await hono.request("/docs");
    const html = await page.text();
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toContain("<title>Shop &#60;API&#62; - API docs</title>");
    expect(html).not.toMatch(/https?:\/\//);
    for (const [path, type] of [["/docs/swagger-ui-bundle.js", "text/javascript"], ["/docs/swagger-ui.css", "text/css"], ["/docs/swagger-ui-init.js", "text/javascript"]] as const) {
      const res = await hono.request(path);
      expect([res.status, res.headers.get("content-type")?.split(";")[0]]).toEqual([200, type]);
    }
    expect(await (await hono.request("/docs/swagger-ui-init.js")).text()).toContain('url: "/openapi.json"');
    expect((await hono.request("/docs/../package.json")).status).toBe(404);
  });

  it("moves or turns off the endpoints through config", async () => {
    const moved = await app({ web: { docs_url: "/api/docs", openapi_url: "/api/schema.json" } });
    expect((await moved.hono.request("/api/schema.json")).status).toBe(200);
    expect(await (await moved.hono.request("/api/docs/swagger-ui-init.js")).text()).toContain('url: "/api/schema.json"');
    expect((await moved.hono.request("/docs")).status).toBe(404);

    const off = await app({ web: { docs_url: "", openapi_url: "" } });
    expect((await off.hono.request("/openapi.json")).status).toBe(404);
    expect((await off.hono.request("/docs")).status).toBe(404);
    const docsOnlyOff = await app({ web: { docs_url: "" } });
    expect([(await docsOnlyOff.hono.request("/openapi.json")).status, (await docsOnlyOff.hono.request("/docs")).status]).toEqual([200, 404]);
  });

  it("a controller route on the docs path fails boot", async () => {
    @controller()
    class Clash {
      @get("/docs")
      docs() {}
    }
    const container = await PicoContainer.create({ components: [WebSettings, Clash], env: {} });
    expect(() => buildWebApp(container, [Clash], capturingLogger())).toThrow("GET /docs is declared twice: by the API docs (web.docs_url / web.openapi_url) and by Clash.docs");
  });
});

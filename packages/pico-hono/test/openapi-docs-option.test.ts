import { describe, expect, it } from "vitest";
import { DecoratorMisuseError, PicoContainer } from "pico-ioc";
import { z } from "zod";
import { WebSettings, buildWebApp, controller, get, post } from "../src/index.js";
import type { OpenApiDocument, OpenApiOperation, RouteOptions } from "../src/index.js";
import { capturingLogger, json } from "./web-app.js";

const TOKENS = { type: "object", properties: { access_token: { type: "string" } }, required: ["access_token"] };
const SERVICE = { type: "http", scheme: "bearer" };

@controller({ prefix: "/auth", tags: ["Auth"] })
class Auth {
  @post("/login", { openapi: { body: { type: "object", properties: { email: { type: "string" } }, required: ["email"] }, response: TOKENS, security: [] } })
  adminLogin() {}
  @post("/logout", { status: 204, openapi: { body: { type: "object" }, bodyRequired: false, security: [{}, { service: [] }], securitySchemes: { service: SERVICE } } })
  logout() {}
  @get("/feed", { openapi: { security: [{ service: [] }], securitySchemes: { service: SERVICE } } })
  get_feed() {}
  @post("/checked", { body: z.object({ n: z.number() }) })
  checked() {}
}

async function documentOf(...controllers: (new () => unknown)[]): Promise<OpenApiDocument> {
  const container = await PicoContainer.create({ components: [WebSettings, ...controllers], env: {} });
  const { hono } = buildWebApp(container, controllers, capturingLogger());
  return (await json(await hono.request("/openapi.json"))) as OpenApiDocument;
}

describe("route option openapi: documentation of handlers that check their own input", () => {
  it("documents the body, the response and the security, validates nothing, and adds the schemes once", async () => {
    const document = await documentOf(Auth);
    const login = document.paths["/auth/login"]?.post as OpenApiOperation;
    expect(login.requestBody).toEqual({ required: true, content: { "application/json": { schema: { type: "object", properties: { email: { type: "string" } }, required: ["email"] } } } });
    const error = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPError" } } } });
    // What the framework answers for any JSON body besides the handler's own answers.
    expect(login.responses).toEqual({
      "200": { description: "Successful Response", content: { "application/json": { schema: TOKENS } } },
      "400": error("Malformed JSON body"),
      "413": error("Request body larger than web.body_limit"),
      "415": error("Not a JSON body (Content-Type: application/json expected)"),
    });
    expect(login.security).toEqual([]);
    const logout = document.paths["/auth/logout"]?.post as OpenApiOperation;
    expect([logout.requestBody?.required, logout.responses, logout.security]).toEqual([
      false,
      { "204": { description: "No Content" }, "400": error("Malformed JSON body"), "413": error("Request body larger than web.body_limit"), "415": error("Not a JSON body (Content-Type: application/json expected)") },
      [{}, { service: [] }],
    ]);
    expect(document.components.securitySchemes).toEqual({ service: SERVICE });
    expect(document.servers).toEqual([{ url: "/" }]);
  });

  it("a summary from the handler's name when none is given; HTTPValidationError only where a route can answer 422", async () => {
    const document = await documentOf(Auth);
    expect([document.paths["/auth/login"]?.post?.summary, document.paths["/auth/feed"]?.get?.summary]).toEqual(["Admin Login", "Get Feed"]);
    expect(Object.keys(document.components.schemas)).toEqual(["HTTPError", "HTTPValidationError"]);

    @controller()
    class Plain {
      @get("/plain")
      plain() {}
    }
    expect(Object.keys((await documentOf(Plain)).components.schemas)).toEqual(["HTTPError"]);
  });

  it("two routes that define one security scheme differently fail boot", async () => {
    @controller()
    class Clash {
      @get("/a", { openapi: { security: [{ service: [] }], securitySchemes: { service: SERVICE } } })
      a() {}
      @get("/b", { openapi: { security: [{ service: [] }], securitySchemes: { service: { type: "apiKey", in: "header", name: "X-Key" } } } })
      b() {}
    }
    await expect(documentOf(Clash)).rejects.toThrow('Clash.b: security scheme "service" is defined otherwise by another route');
  });

  it("refuses unknown keys and values of the wrong kind, naming them", () => {
    const bad = (openapi: unknown) => () => post("/x", { openapi } as RouteOptions);
    expect(bad({ requestBody: {} })).toThrow(DecoratorMisuseError);
    expect(bad({ requestBody: {} })).toThrow(/requestBody/);
    expect(bad({ body: "object" })).toThrow('@post: "openapi.body" expected a JSON Schema object, got string');
    expect(bad({ bodyRequired: "no" })).toThrow('@post: "openapi.bodyRequired" expected a boolean, got string');
    expect(bad({ security: { bearer: [] } })).toThrow('@post: "openapi.security" expected an array of security requirements, got {"bearer":[]}');
    expect(bad([])).toThrow('@post: "openapi" expected an object, got an array');
    expect(bad({ bodyContentTypes: [] })).toThrow('@post: "openapi.bodyContentTypes" expected a non-empty array of media types such as "application/json", got []');
    expect(bad({ bodyContentTypes: "application/json" })).toThrow('"openapi.bodyContentTypes" expected a non-empty array of media types');
    expect(bad({ bodyContentTypes: ["json"] })).toThrow('"openapi.bodyContentTypes" expected a non-empty array of media types');
  });

  it("bodyContentTypes: the body schema under each media type, and a 415 naming them", async () => {
    const FORM = { type: "object", properties: { grant_type: { type: "string" } }, required: ["grant_type"] };
    @controller()
    class Token {
      @post("/token", { openapi: { body: FORM, bodyContentTypes: ["application/x-www-form-urlencoded", "application/json"], security: [] } })
      token() {}
    }
    const operation = (await documentOf(Token)).paths["/token"]?.post as OpenApiOperation;
    expect(operation.requestBody).toEqual({ required: true, content: { "application/x-www-form-urlencoded": { schema: FORM }, "application/json": { schema: FORM } } });
    expect(operation.responses["415"]?.description).toBe("Content-Type not one of application/x-www-form-urlencoded, application/json");
  });
});

import { describe, expect, it } from "vitest";
import { PicoContainer } from "pico-ioc";
import { z } from "zod";
import { RequestContext, WebSettings, buildWebApp, controller, get, post } from "../src/index.js";
import { capturingLogger, json, webApp } from "./web-app.js";

const Item = z.object({ name: z.string().min(1), price: z.number().positive(), tags: z.array(z.string()).default([]) });
const createItem = { body: Item, status: 201 } as const;
const search = {
  query: z.object({ page: z.number().int().min(1).default(1), inStock: z.boolean().optional(), tag: z.array(z.string()).optional(), q: z.string().optional() }),
} as const;
const byId = { params: z.object({ id: z.number().int() }) } as const;
const publicItem = { response: z.object({ name: z.string() }) } as const;

@controller({ prefix: "/items" })
class Items {
  @post("", createItem)
  create(ctx: RequestContext<"", typeof createItem>) {
    return { created: ctx.body };
  }
  @get("", search)
  search(ctx: RequestContext<"", typeof search>) {
    return ctx.query;
  }
  @get("/:id", byId)
  one(ctx: RequestContext<"/:id", typeof byId>) {
    return { id: ctx.params.id, type: typeof ctx.params.id };
  }
  @get("/:id/public", publicItem)
  publicView() {
    return { name: "lamp", secretCost: 3 };
  }
  @get("/:id/broken", publicItem)
  broken() {
    return { nom: "typo" };
  }
  @post("/raw")
  async raw(ctx: RequestContext) {
    return { size: JSON.stringify(await ctx.json()).length };
  }
}

const post_ = (body: string, type = "application/json") => ({ method: "POST", body, headers: { "content-type": type } });

describe("validated requests", () => {
  it("passes the parsed, typed body to the handler", async () => {
    const { hono } = await webApp([Items]);
    const res = await hono.request("/items", post_(JSON.stringify({ name: "lamp", price: 9.5 })));
    expect([res.status, await json(res)]).toEqual([201, { created: { name: "lamp", price: 9.5, tags: [] } }]);
  });

  it("answers 422 in FastAPI's shape, listing every problem", async () => {
    const { hono } = await webApp([Items]);
    const res = await hono.request("/items", post_(JSON.stringify({ name: "", price: -1, tags: [1] })));
    expect(res.status).toBe(422);
    expect(await json(res)).toEqual({
      detail: [
        { loc: ["body", "name"], msg: "Too small: expected string to have >=1 characters", type: "too_small" },
        { loc: ["body", "price"], msg: "Too small: expected number to be >0", type: "too_small" },
        { loc: ["body", "tags", 0], msg: "Invalid input: expected string, received number", type: "invalid_type" },
      ],
    });
    const missing = await hono.request("/items", { method: "POST" });
    expect([missing.status, await json(missing)]).toEqual([422, { detail: [{ loc: ["body"], msg: "Invalid input: expected object, received undefined", type: "invalid_type" }] }]);
  });

  it("converts query strings and path segments to the declared types", async () => {
    const { hono } = await webApp([Items]);
    expect(await json(await hono.request("/items?page=3&inStock=true&tag=a&tag=b&q=12"))).toEqual({ page: 3, inStock: true, tag: ["a", "b"], q: "12" });
    expect(await json(await hono.request("/items"))).toEqual({ page: 1 });
    expect(await json(await hono.request("/items/42"))).toEqual({ id: 42, type: "number" });
    const bad = await hono.request("/items?page=zero&inStock=maybe");
    expect([bad.status, await json(bad)]).toEqual([
      422,
      {
        detail: [
          { loc: ["query", "page"], msg: "Invalid input: expected number, received string", type: "invalid_type" },
          { loc: ["query", "inStock"], msg: "Invalid input: expected boolean, received string", type: "invalid_type" },
        ],
      },
    ]);
    const badPath = await hono.request("/items/4.5");
    expect([badPath.status, ((await json(badPath)) as { detail: { loc: unknown }[] }).detail[0]?.loc]).toEqual([422, ["path", "id"]]);
  });

  it("serialises responses through the response schema; a mismatch is a logged 500", async () => {
    const logger = capturingLogger();
    const { hono } = await webApp([Items], logger);
    expect(await json(await hono.request("/items/1/public"))).toEqual({ name: "lamp" });
    const broken = await hono.request("/items/1/broken");
    expect([broken.status, await json(broken)]).toEqual([500, { detail: "Internal Server Error" }]);
    expect(String((logger.errors[0]?.[1] as { err: Error }).err.message)).toContain("GET /items/:id/broken returned a value that does not match its response schema");
  });

  it("415 for a non-JSON body, 400 for malformed JSON, on schema routes too", async () => {
    const { hono } = await webApp([Items]);
    const form = await hono.request("/items", post_("name=lamp", "application/x-www-form-urlencoded"));
    expect([form.status, await json(form)]).toEqual([415, { detail: 'Expected a JSON body (Content-Type: application/json), got "application/x-www-form-urlencoded"' }]);
    const malformed = await hono.request("/items", post_('{"name": "lamp",'));
    expect(malformed.status).toBe(400);
    const empty = await hono.request("/items/raw", { method: "POST" });
    expect([empty.status, await json(empty)]).toEqual([400, { detail: "Expected a JSON body, got an empty body" }]);
  });

  it("413 above the body limit, also for a streamed body with no Content-Length", async () => {
    const container = await PicoContainer.create({ components: [WebSettings, Items], config: { web: { body_limit: 64 } }, env: {} });
    const { hono } = buildWebApp(container, [Items], capturingLogger());
    const big = JSON.stringify({ name: "x".repeat(100), price: 1 });
    const declared = await hono.request("/items", post_(big));
    expect([declared.status, await json(declared)]).toEqual([413, { detail: "Request body is larger than the limit of 64 bytes" }]);
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // An endless body: the limit must stop reading it, not buffer it.
        pulls++;
        controller.enqueue(new TextEncoder().encode("x".repeat(32)));
      },
    });
    const streamed = await hono.request(new Request("http://local/items", { method: "POST", body: stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit));
    expect(streamed.status).toBe(413);
    expect(pulls).toBeLessThan(10);
    const small = await hono.request("/items", post_(JSON.stringify({ name: "x", price: 1 })));
    expect(small.status).toBe(201);
  });

  it("rejects route options that are not schemas", () => {
    expect(() => post("", { body: { name: "string" } as never })).toThrow('@post: "body" expected a Standard Schema (e.g. a zod 4 schema), got object');
    expect(() => get("", { responses: { abc: "x" } as never })).toThrow('@get: "responses" keys expected HTTP status codes, got "abc"');
  });
});

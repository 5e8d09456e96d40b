import { describe, expect, it } from "vitest";
import { RequestContext, controller, del, get, patch, post, put } from "../src/index.js";
import { json, webApp } from "./web-app.js";

describe("routes", () => {
  it("static segments win over parameters whatever the declaration order (upstream U1)", async () => {
    @controller({ prefix: "/items" })
    class Items {
      @get("/:id")
      one(ctx: RequestContext<"/:id">) {
        return { by: "id", id: ctx.params.id };
      }
      @get("/search")
      search(ctx: RequestContext) {
        return { by: "search", q: ctx.query.q ?? null };
      }
      @get("/:id/parts/latest")
      latest() {
        return { by: "latest" };
      }
      @get("/:id/parts/:part")
      part(ctx: RequestContext<"/:id/parts/:part">) {
        return { by: "part", ...ctx.params };
      }
    }
    const { hono, routes } = await webApp([Items]);
    expect(await json(await hono.request("/items/search?q=lamp"))).toEqual({ by: "search", q: "lamp" });
    expect(await json(await hono.request("/items/7"))).toEqual({ by: "id", id: "7" });
    expect(await json(await hono.request("/items/7/parts/latest"))).toEqual({ by: "latest" });
    expect(await json(await hono.request("/items/7/parts/9"))).toEqual({ by: "part", id: "7", part: "9" });
    // The route list keeps declaration order for docs.
    expect(routes.map((r) => r.path)).toEqual(["/items/:id", "/items/search", "/items/:id/parts/latest", "/items/:id/parts/:part"]);
  });

  it("maps every method, joins prefixes, accepts FastAPI-style {param} paths", async () => {
    @controller({ prefix: "/api/things/" })
    class Things {
      @get()
      list() {
        return ["all"];
      }
      @post("", { status: 201 })
      async create(ctx: RequestContext) {
        return { created: await ctx.json() };
      }
      @put("/{thing_id}")
      replace(ctx: RequestContext<"/:thing_id">) {
        return { put: ctx.params.thing_id };
      }
      @patch("/{thing_id}")
      update(ctx: RequestContext<"/:thing_id">) {
        return { patched: ctx.params.thing_id };
      }
      @del("/{thing_id}")
      remove() {}
    }
    const { hono } = await webApp([Things]);
    expect(await json(await hono.request("/api/things"))).toEqual(["all"]);
    const created = await hono.request("/api/things", { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(created.status).toBe(201);
    expect(await json(created)).toEqual({ created: { a: 1 } });
    expect(await json(await hono.request("/api/things/x", { method: "PUT" }))).toEqual({ put: "x" });
    expect(await json(await hono.request("/api/things/y", { method: "PATCH" }))).toEqual({ patched: "y" });
    const removed = await hono.request("/api/things/z", { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
  });

  it("honours declared and runtime statuses and headers (upstream U2)", async () => {
    @controller()
    class Statuses {
      @post("/accepted", { status: 202 })
      accepted() {
        return { queued: true };
      }
      @get("/empty", { status: 204 })
      empty() {
        return { ignored: true };
      }
      @get("/teapot")
      teapot(ctx: RequestContext) {
        ctx.setStatus(418).setHeader("x-brew", "earl grey");
        return { short: "stout" };
      }
      @get("/raw")
      raw() {
        return new Response("plain", { status: 203, headers: { "content-type": "text/plain" } });
      }
      @get("/repeated")
      repeated(ctx: RequestContext) {
        return { tags: ctx.queryAll("tag"), agent: ctx.header("x-agent") ?? null };
      }
    }
    const { hono } = await webApp([Statuses]);
    const accepted = await hono.request("/accepted", { method: "POST" });
    expect([accepted.status, await json(accepted)]).toEqual([202, { queued: true }]);
    const empty = await hono.request("/empty");
    expect([empty.status, await empty.text()]).toEqual([204, ""]);
    const teapot = await hono.request("/teapot");
    expect([teapot.status, teapot.headers.get("x-brew"), await json(teapot)]).toEqual([418, "earl grey", { short: "stout" }]);
    const raw = await hono.request("/raw");
    expect([raw.status, await raw.text()]).toEqual([203, "plain"]);
    const repeated = await hono.request("/repeated?tag=a&tag=b", { headers: { "X-Agent": "t" } });
    expect(await json(repeated)).toEqual({ tags: ["a", "b"], agent: "t" });
  });

  it("singleton controllers are built once; request-scoped ones once per request", async () => {
    let built = 0;
    @controller({ prefix: "/s" })
    class Shared {
      constructor() {
        built++;
      }
      @get()
      hit() {
        return built;
      }
    }
    let perRequest = 0;
    @controller({ prefix: "/r", scope: "request" })
    class PerRequest {
      readonly n = ++perRequest;
      @get()
      hit() {
        return this.n;
      }
    }
    const { hono } = await webApp([Shared, PerRequest]);
    await hono.request("/s");
    expect(await json(await hono.request("/s"))).toBe(1);
    expect(await json(await hono.request("/r"))).toBe(1);
    expect(await json(await hono.request("/r"))).toBe(2);
  });
});

import { HTTPException as HonoHTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { component } from "pico-ioc";
import { z } from "zod";
import { RequestContext, controller, get } from "../src/index.js";
import { capturingLogger, json, webApp } from "./web-app.js";

describe("edge cases", () => {
  it("keeps a Hono middleware's own error response, and setHeader applies to a returned Response", async () => {
    @controller()
    class Edge {
      @get("/hono-res")
      honoRes() {
        throw new HonoHTTPException(401, { res: new Response("custom", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="x"' } }) });
      }
      @get("/raw-with-header")
      raw(ctx: RequestContext) {
        ctx.setHeader("x-trace", "abc");
        return new Response("raw", { status: 202 });
      }
      @get("/reset", { status: 205 })
      reset() {
        return { ignored: true };
      }
      @get("/files/{name}")
      file(ctx: RequestContext<"/files/{name}">) {
        // `{name}` is typed like `:name`.
        const name: string = ctx.params.name;
        return { name };
      }
    }
    const { hono } = await webApp([Edge]);
    const honoRes = await hono.request("/hono-res");
    expect([honoRes.status, honoRes.headers.get("www-authenticate"), await honoRes.text()]).toEqual([401, 'Basic realm="x"', "custom"]);
    const raw = await hono.request("/raw-with-header");
    expect([raw.status, raw.headers.get("x-trace"), await raw.text()]).toEqual([202, "abc", "raw"]);
    const reset = await hono.request("/reset");
    expect([reset.status, await reset.text()]).toEqual([205, ""]);
    expect(await json(await hono.request("/files/a.txt"))).toEqual({ name: "a.txt" });
  });

  it("a failing request-scope cleanup is logged and does not replace a good response", async () => {
    @component({ scope: "request" })
    class Leaky {
      onDestroy() {
        throw new Error("cannot release");
      }
    }
    @controller({ scope: "request" })
    class UsesLeaky {
      constructor(readonly leaky: Leaky) {}
      @get("/rs")
      hit() {
        return "fine";
      }
    }
    const logger = capturingLogger();
    const { hono } = await webApp([Leaky, UsesLeaky], logger);
    const res = await hono.request("/rs");
    expect([res.status, await json(res)]).toEqual([200, "fine"]);
    expect(logger.errors[0]?.[0]).toBe("Request-scope cleanup failed after GET /rs");
  });

  it("schemas JSON Schema cannot express (dates) still validate, and the document still builds", async () => {
    const since = { query: z.object({ since: z.coerce.date() }), response: z.object({ at: z.date() }) } as const;
    @controller()
    class Dates {
      @get("/since", since)
      since(ctx: RequestContext<"", typeof since>) {
        return { at: ctx.query.since };
      }
    }
    const { hono } = await webApp([Dates]);
    const ok = await hono.request("/since?since=2026-01-02T00:00:00Z");
    expect([ok.status, await json(ok)]).toEqual([200, { at: "2026-01-02T00:00:00.000Z" }]);
    expect((await hono.request("/since?since=not-a-date")).status).toBe(422);
    const document = await hono.request("/openapi.json");
    expect(document.status).toBe(200);
    const operation = ((await json(document)) as { paths: Record<string, { get: { parameters: unknown[] } }> }).paths["/since"]?.get;
    expect(operation?.parameters).toEqual([{ name: "since", in: "query", required: true, schema: {} }]);
  });
});

import { HTTPException as HonoHTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { PicoContainer } from "pico-ioc";
import { HTTPException, NoControllersError, RequestContext, RouteConflictError, buildWebApp, controller, get, post } from "../src/index.js";
import { capturingLogger, json, webApp } from "./web-app.js";

class DomainError extends Error {
  readonly code = "OUT_OF_STOCK";
  readonly status = 409;
  readonly expose = true;
}

/** Shaped like an HTTP SDK's error: a status, and a message that must never reach our clients. */
class UpstreamApiError extends Error {
  readonly status = 401;
}

@controller({ prefix: "/e" })
class Failing {
  @get("/http")
  http() {
    throw new HTTPException(403, "Not yours", { headers: { "x-reason": "owner" } });
  }
  @get("/structured")
  structured() {
    throw new HTTPException(422, [{ loc: ["body", "name"], msg: "required", type: "missing" }]);
  }
  @get("/hono")
  hono() {
    throw new HonoHTTPException(429, { message: "Slow down" });
  }
  @get("/domain")
  domain() {
    throw new DomainError("Sold out");
  }
  @get("/sdk")
  sdk() {
    throw new UpstreamApiError("Incorrect API key provided: sk-live-SECRET");
  }
  @get("/bug")
  async bug() {
    throw new TypeError("secret internals at /srv/app.ts:12");
  }
  @post("/body")
  async body(ctx: RequestContext) {
    return ctx.json();
  }
  @post("/optional-body")
  async optionalBody(ctx: RequestContext) {
    return { body: (await ctx.optionalJson()) ?? "none" };
  }
}

describe("errors as JSON", () => {
  it("HTTPException → its status, {detail} and headers", async () => {
    const { hono } = await webApp([Failing]);
    const res = await hono.request("/e/http");
    expect([res.status, res.headers.get("x-reason"), await json(res)]).toEqual([403, "owner", { detail: "Not yours" }]);
    expect(await json(await hono.request("/e/structured"))).toEqual({ detail: [{ loc: ["body", "name"], msg: "required", type: "missing" }] });
    const hono429 = await hono.request("/e/hono");
    expect([hono429.status, await json(hono429)]).toEqual([429, { detail: "Slow down" }]);
    const domain = await hono.request("/e/domain");
    expect([domain.status, await json(domain)]).toEqual([409, { detail: "Sold out" }]);
  });

  it("an unexpected error → 500 with a generic detail; the stack is logged, never sent", async () => {
    const logger = capturingLogger();
    const { hono } = await webApp([Failing], logger);
    const res = await hono.request("/e/bug");
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ detail: "Internal Server Error" });
    expect(text).not.toContain("secret");
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]?.[0]).toBe("Unhandled error in GET /e/bug");
    expect((logger.errors[0]?.[1] as { err: Error }).err.stack).toContain("secret internals");
    const sdk = await hono.request("/e/sdk");
    const sdkText = await sdk.text();
    expect([sdk.status, JSON.parse(sdkText)]).toEqual([500, { detail: "Internal Server Error" }]);
    expect(sdkText).not.toContain("sk-live");
    expect(logger.errors).toHaveLength(2);
  });

  it("unknown route → 404, wrong method → 405 with Allow, both JSON", async () => {
    const { hono } = await webApp([Failing]);
    const missing = await hono.request("/nowhere");
    expect([missing.status, await json(missing)]).toEqual([404, { detail: "Not Found" }]);
    const wrong = await hono.request("/e/http", { method: "DELETE" });
    expect([wrong.status, wrong.headers.get("allow"), await json(wrong)]).toEqual([405, "GET, HEAD", { detail: "Method Not Allowed" }]);
    const wrongPost = await hono.request("/e/body");
    expect([wrongPost.status, wrongPost.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("a body that is not JSON → 415; malformed JSON → 400; never 500", async () => {
    const { hono } = await webApp([Failing]);
    const plain = await hono.request("/e/body", { method: "POST", body: "hi", headers: { "content-type": "text/plain" } });
    expect([plain.status, await json(plain)]).toEqual([415, { detail: 'Expected a JSON body (Content-Type: application/json), got "text/plain"' }]);
    const broken = await hono.request("/e/body", { method: "POST", body: "{oops", headers: { "content-type": "application/json" } });
    expect(broken.status).toBe(400);
    expect((await json(broken)) as { detail: string }).toMatchObject({ detail: expect.stringMatching(/^Malformed JSON body: /) });
    const vendor = await hono.request("/e/body", { method: "POST", body: "[1]", headers: { "content-type": "application/merge-patch+json; charset=utf-8" } });
    expect(await json(vendor)).toEqual([1]);
  });

  it("optionalJson(): an empty body is undefined, with or without a content type; the rest as json()", async () => {
    const { hono } = await webApp([Failing]);
    const post = (init: RequestInit) => hono.request("/e/optional-body", { method: "POST", ...init });
    expect(await json(await post({}))).toEqual({ body: "none" });
    expect(await json(await post({ headers: { "content-type": "application/json" } }))).toEqual({ body: "none" });
    expect(await json(await post({ body: '{"a":1}', headers: { "content-type": "application/json" } }))).toEqual({ body: { a: 1 } });
    expect((await post({ body: "{oops", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await post({ body: "hi", headers: { "content-type": "text/plain" } })).status).toBe(415);
  });

  it("boot fails on duplicate routes and on no controllers", async () => {
    @controller({ prefix: "/a" })
    class One {
      @get("/:id")
      x() {}
    }
    @controller({ prefix: "/a" })
    class Two {
      @get("/:key")
      y() {}
    }
    await expect(webApp([One, Two])).rejects.toThrow(new RouteConflictError("GET", "/a/:key", "One.x", "Two.y"));
    const container = await PicoContainer.create({ components: [] });
    expect(() => buildWebApp(container, [], capturingLogger())).toThrow(NoControllersError);
  });

  it("HTTPException rejects a status that is not an error", () => {
    expect(() => new HTTPException(200)).toThrow('HTTPException: "status" expected an integer from 400 to 599, got 200');
    expect(new HTTPException(404).detail).toBe("Not Found");
  });
});

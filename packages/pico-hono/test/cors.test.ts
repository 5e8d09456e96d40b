import { describe, expect, it } from "vitest";
import { PicoContainer, component } from "pico-ioc";
import { HTTPException, InvalidWebSettingError, WEB_EXTENSION, WebSettings, buildWebApp, controller, get, post } from "../src/index.js";
import type { RouteInterceptor, WebExtension } from "../src/index.js";
import { capturingLogger } from "./web-app.js";

const APP = "https://app.example.com";

@controller({ prefix: "/api" })
class Api {
  @get("/profile")
  profile() {
    return { subject: "alice" };
  }
  @get("/moved")
  moved() {
    // Immutable headers, as a fetch() response's.
    return Response.redirect("https://elsewhere.example/", 302);
  }
  @get("/negotiated")
  negotiated() {
    return new Response("{}", { headers: { "content-type": "application/json", vary: "Accept-Encoding" } });
  }
  @post("/items")
  create() {
    return { created: true };
  }
}

/** Stands in for the auth guard: every route needs `Authorization: Bearer good`. */
@component({ provides: WEB_EXTENSION })
class Guard implements WebExtension {
  interceptRoute(): RouteInterceptor {
    return (c, proceed) => {
      if (c.req.header("authorization") !== "Bearer good") throw new HTTPException(401, "Missing or invalid Authorization header", { headers: { "WWW-Authenticate": "Bearer" } });
      return proceed();
    };
  }
}

async function app(web: Record<string, unknown> = {}) {
  const container = await PicoContainer.create({ components: [WebSettings, Api, Guard], config: { web: { body_limit: 8, ...web } } });
  return buildWebApp(container, [Api], capturingLogger()).hono;
}

const preflight = (origin: string, method = "GET", headers = "authorization") => ({
  method: "OPTIONS",
  headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
});

describe("CORS (web.cors_origins)", () => {
  it("off by default: a preflight gets the 405 it always got, and no response allows any origin", async () => {
    const hono = await app();
    const res = await hono.request("/api/profile", preflight(APP));
    expect(res.status).toBe(405);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const get = await hono.request("/api/profile", { headers: { origin: APP, authorization: "Bearer good" } });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a preflight on a guarded route answers 204 without a token, with the allowed methods and headers", async () => {
    const hono = await app({ cors_origins: [APP] });
    const res = await hono.request("/api/profile", preflight(APP, "POST", "authorization,content-type,x-request-id"));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET,HEAD,POST,PUT,PATCH,DELETE");
    expect(res.headers.get("access-control-allow-headers")).toBe("Authorization,Content-Type,X-Request-Id,X-Agent-Authorization");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("answers from an allowed origin carry the origin and the exposed headers, errors and 404s included", async () => {
    const hono = await app({ cors_origins: ["http://localhost:5173", APP] });
    const ok = await hono.request("/api/profile", { headers: { origin: APP, authorization: "Bearer good" } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ subject: "alice" });
    expect(ok.headers.get("access-control-allow-origin")).toBe(APP);
    expect(ok.headers.get("access-control-expose-headers")).toBe("X-Request-Id,Retry-After,WWW-Authenticate");
    expect(ok.headers.get("vary")).toBe("Origin");
    // The page must be able to read why it was refused, or it cannot tell "log in again" from "network down".
    const unauthorized = await hono.request("/api/profile", { headers: { origin: APP } });
    expect([unauthorized.status, unauthorized.headers.get("access-control-allow-origin"), unauthorized.headers.get("www-authenticate")]).toEqual([401, APP, "Bearer"]);
    const missing = await hono.request("/api/nothing", { headers: { origin: APP } });
    expect([missing.status, missing.headers.get("access-control-allow-origin")]).toEqual([404, APP]);
    const tooLarge = await hono.request("/api/items", { method: "POST", headers: { origin: APP, authorization: "Bearer good", "content-type": "application/json" }, body: '{"a":"0123456789"}' });
    expect([tooLarge.status, tooLarge.headers.get("access-control-allow-origin")]).toEqual([413, APP]);
  });

  it("routes that return a Response of their own get the headers too, immutable headers and their own Vary included", async () => {
    const hono = await app({ cors_origins: [APP] });
    const moved = await hono.request("/api/moved", { headers: { origin: APP, authorization: "Bearer good" } });
    expect([moved.status, moved.headers.get("location"), moved.headers.get("access-control-allow-origin"), moved.headers.get("vary")]).toEqual([302, "https://elsewhere.example/", APP, "Origin"]);
    const negotiated = await hono.request("/api/negotiated", { headers: { authorization: "Bearer good" } });
    expect([negotiated.status, negotiated.headers.get("vary"), negotiated.headers.get("access-control-allow-origin")]).toEqual([200, "Accept-Encoding, Origin", null]);
  });

  it("an origin not listed gets no Access-Control-Allow-Origin, so the browser keeps the answer from the page", async () => {
    const hono = await app({ cors_origins: [APP] });
    for (const origin of ["https://evil.example", "https://app.example.com.evil.example", "http://app.example.com", "https://APP.example.com", "null"]) {
      const res = await hono.request("/api/profile", preflight(origin));
      expect(res.headers.get("access-control-allow-origin"), origin).toBeNull();
      const get = await hono.request("/api/profile", { headers: { origin, authorization: "Bearer good" } });
      expect(get.headers.get("access-control-allow-origin"), origin).toBeNull();
    }
  });

  it("an OPTIONS that is not a preflight still answers 405 with Allow", async () => {
    const hono = await app({ cors_origins: [APP] });
    const res = await hono.request("/api/profile", { method: "OPTIONS", headers: { origin: APP } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(await res.json()).toEqual({ detail: "Method Not Allowed" });
  });

  it("an entry that is not an exact origin fails the build, naming the entry, the expected form and the value", async () => {
    const cases: [string, string][] = [
      ["*", 'web.cors_origins[0] (WEB__CORS_ORIGINS) expected an origin such as "https://app.example.com"'],
      ["https://app.example.com/", 'got "https://app.example.com/" (did you mean "https://app.example.com"?)'],
      ["https://app.example.com/spa", '(did you mean "https://app.example.com"?)'],
      ["https://App.Example.com", '(did you mean "https://app.example.com"?)'],
      ["https://app.example.com:443", '(did you mean "https://app.example.com"?)'],
      ["app.example.com", 'got "app.example.com"'],
      ["ftp://files.example.com", 'got "ftp://files.example.com"'],
    ];
    for (const [value, message] of cases) {
      const attempt = app({ cors_origins: [APP, value].slice(value === "*" ? 1 : 0) });
      await expect(attempt, value).rejects.toThrow(InvalidWebSettingError);
      await expect(attempt, value).rejects.toThrow(message);
    }
    await expect(app({ cors_origins: ["*"] })).rejects.toThrow("list the exact origins that may call the API");
    await expect(app({ cors_origins: [APP, "x"] })).rejects.toThrow("web.cors_origins[1]");
  });
});

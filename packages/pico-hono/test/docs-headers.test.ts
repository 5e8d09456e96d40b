import { describe, expect, it } from "vitest";
import { PicoContainer } from "pico-ioc";
import { WebSettings, buildWebApp, controller, get } from "../src/index.js";
import { capturingLogger } from "./web-app.js";

@controller()
class Hello {
  @get("/hello")
  hello() {
    return { hello: "world" };
  }
}

async function hono(web: Record<string, unknown> = {}) {
  const container = await PicoContainer.create({ components: [WebSettings, Hello], config: { web }, env: {} });
  return buildWebApp(container, [Hello], capturingLogger()).hono;
}

describe("docs page headers", () => {
  it("/docs has a CSP with scripts and styles from self only, images also from data:, and X-Frame-Options: DENY", async () => {
    const page = await (await hono()).request("/docs");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "form-action": ["'self'"],
      "base-uri": ["'none'"],
      "frame-ancestors": ["'none'"],
    });
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("the page has no inline script, so the CSP needs no 'unsafe-inline' and no hash", async () => {
    const html = await (await (await hono()).request("/docs")).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/docs\//);
      expect(body).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+=|style=/i);
  });

  it("a moved docs page keeps its headers", async () => {
    const page = await (await hono({ docs_url: "/api/docs" })).request("/api/docs");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });
});

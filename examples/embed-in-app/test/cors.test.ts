import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chromiumLaunchOptions, runBrowserTest } from "../../../test-support/browser.js";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { seedConfig } from "../src/config.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const PASSWORD = "cors-test-password";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The seed app (pico_client_auth guards /api/profile) with `web.cors_origins`. */
function seedApp(corsOrigins: string[]): Application {
  const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
  const { config } = seedConfig(env);
  return new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: { ...config, web: { cors_origins: corsOrigins } }, root, env, logger: quiet });
}

/**
 * A single-page app of its own, on its own port (so another origin): it logs in through the API
 * named in its URL's fragment, calls /api/profile with the access token, and shows what it got.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>SPA</title><pre id="result">running</pre><script src="/app.js"></script>`;
const SCRIPT = `
const params = new URLSearchParams(location.hash.slice(1));
const api = params.get("api");
const show = (value) => (document.getElementById("result").textContent = JSON.stringify(value));
(async () => {
  const login = await fetch(api + "/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@example.com", password: params.get("password") }),
  });
  const { access_token } = await login.json();
  const profile = await fetch(api + "/api/profile", { headers: { authorization: "Bearer " + access_token } });
  const anonymous = await fetch(api + "/api/profile");
  show({ login: login.status, profile: profile.status, body: await profile.json(), anonymous: anonymous.status, anonymousBody: await anonymous.json(), wwwAuthenticate: anonymous.headers.get("www-authenticate") });
})().catch((error) => show({ error: error.name + ": " + error.message }));
`;

async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url === "/app.js") res.writeHead(200, { "content-type": "text/javascript" }).end(SCRIPT);
    else res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("CORS on the seed app", () => {
  it("a preflight on /api/profile (guarded) answers 204 without a token, with the allowed methods and headers", async () => {
    const app = seedApp(["https://spa.example"]);
    try {
      const res = await app.request("/api/profile", {
        method: "OPTIONS",
        headers: { origin: "https://spa.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization,x-request-id" },
      });
      expect(res.status).toBe(204);
      expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("access-control-")))).toEqual({
        "access-control-allow-origin": "https://spa.example",
        "access-control-allow-methods": "GET,HEAD,POST,PUT,PATCH,DELETE",
        "access-control-allow-headers": "Authorization,Content-Type,X-Request-Id,X-Agent-Authorization",
        "access-control-expose-headers": "X-Request-Id,Retry-After,WWW-Authenticate",
        "access-control-max-age": "600",
      });
      // The same request without the preflight: the guard answers, and the page may read its 401.
      const get = await app.request("/api/profile", { headers: { origin: "https://spa.example" } });
      expect([get.status, get.headers.get("access-control-allow-origin")]).toEqual([401, "https://spa.example"]);
    } finally {
      await app.stop();
    }
  });

  it.skipIf(!runBrowserTest)("in Chromium, a page on a listed origin logs in and reads /api/profile; a page on another origin is refused by the browser", async () => {
    const listed = await pageServer();
    const unlisted = await pageServer();
    const app = seedApp([listed.origin]);
    const { url: api } = await app.start({ port: 0, host: "127.0.0.1" });
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const hash = `#api=${encodeURIComponent(api)}&password=${encodeURIComponent(PASSWORD)}`;
      const page = await browser.newPage();
      await page.goto(`${listed.origin}/${hash}`);
      await page.locator("#result", { hasText: "{" }).waitFor({ timeout: 15_000 });
      expect(JSON.parse((await page.textContent("#result")) ?? "")).toEqual({
        login: 200,
        profile: 200,
        body: { subject: "admin@example.com", role: "admin" },
        anonymous: 401,
        anonymousBody: { detail: expect.any(String) as string },
        wwwAuthenticate: expect.stringMatching(/^Bearer/) as string,
      });

      const refused = await browser.newPage();
      const corsErrors: string[] = [];
      refused.on("console", (message) => void (/blocked by CORS policy/.test(message.text()) && corsErrors.push(message.text())));
      await refused.goto(`${unlisted.origin}/${hash}`);
      await refused.locator("#result", { hasText: "{" }).waitFor({ timeout: 15_000 });
      expect(JSON.parse((await refused.textContent("#result")) ?? "")).toEqual({ error: "TypeError: Failed to fetch" });
      expect(corsErrors.join("\n")).toContain(`from origin '${unlisted.origin}' has been blocked by CORS policy`);
    } finally {
      await browser.close();
      listed.server.close();
      unlisted.server.close();
      await app.stop();
    }
  });
});

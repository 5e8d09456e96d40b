import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chromiumLaunchOptions, cspViolations, foreignRequests, runBrowserTest } from "../../../test-support/browser.js";
import { freePort } from "../../../test-support/ports.js";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { seedConfig } from "../src/config.js";

const root = fileURLToPath(new URL("..", import.meta.url));

const PASSWORD = "browser-test-password";

describe("the sign-in page in a real browser", () => {
  it.skipIf(!runBrowserTest)("wallet sign-in with Ed25519 and ML-DSA-65 made in the browser, and the admin form", async () => {
    // The page signs only messages naming its own host: the server is told the host it is reached at.
    const port = await freePort();
    const domain = `127.0.0.1:${port}`;
    const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory", SERVER_AUTH__SIGN_IN_DOMAIN: domain };
    const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const { url } = await app.start({ port, host: "127.0.0.1" });
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage();
      const foreign = foreignRequests(page, url);
      // The page runs under its Content-Security-Policy: anything it blocked shows up here.
      const blocked = await cspViolations(page);
      const response = await page.goto(`${url}/`);
      expect(response?.headers()["content-security-policy"]).toContain("'sha256-");
      for (const algorithm of ["Ed25519", "ML-DSA-65"]) {
        await page.selectOption("#algorithm", algorithm);
        await page.click("#new-key");
        // Locators, not string predicates: those are evaluated with eval, which the page's CSP forbids.
        await page.locator("#address", { hasText: /^0x/ }).waitFor();
        const address = await page.textContent("#address");
        await page.click("#sign-in");
        await page.locator("#profile", { hasText: address ?? "" }).waitFor();
        expect(JSON.parse((await page.textContent("#profile")) ?? "")).toEqual({ subject: address, role: "wallet" });
        expect(JSON.parse((await page.textContent("#claims")) ?? "")).toMatchObject({ sub: address, algorithm, role: "wallet" });
        expect(await page.textContent("#dashboard")).toContain("403 Requires one of roles: ['admin']");
        // What the page signed: the sign-in message naming the site, the address and an expiry.
        const message = (await page.textContent("#message")) ?? "";
        expect(message.split("\n").slice(0, 2)).toEqual([`${domain} wants you to sign in with your ${algorithm} account:`, address]);
        expect(message).toMatch(/\nExpiration Time: \d{4}-\d\d-\d\dT/);
      }

      // A server (or anything between) that hands the page a message naming another site, or a move
      // message, gets no signature: the page refuses before signing.
      for (const [header, problem] of [
        ["localhost:8100 wants you to sign in with your Ed25519 account:", `its first line is not "${domain} wants you to sign in with your Ed25519 account:"`],
        [`${domain} asks you to move your Ed25519 account to a new key:`, "it is a move message (it would move your address to another key), not a sign-in message"],
      ]) {
        await page.route("**/api/v1/auth/challenge", async (route) => {
          const real = await route.fetch();
          const body = (await real.json()) as { message: string };
          await route.fulfill({ response: real, json: { ...body, message: [header, ...body.message.split("\n").slice(1)].join("\n") } });
        });
        const signIns: string[] = [];
        page.on("request", (request) => void (request.url().endsWith("/api/v1/auth/sign-in") && signIns.push(request.url())));
        await page.selectOption("#algorithm", "Ed25519");
        await page.click("#sign-in");
        await page.locator("#error", { hasText: "refusing" }).waitFor();
        expect(await page.textContent("#error")).toBe(`refusing to sign the message the server sent: ${problem}`);
        expect(signIns).toEqual([]);
        await page.unroute("**/api/v1/auth/challenge");
      }

      await page.fill("#password", "wrong password");
      await page.click("#admin-form button");
      await page.waitForSelector("#error:not([hidden])");
      expect(await page.textContent("#error")).toBe("/api/v1/auth/login: 401 invalid credentials");

      await page.fill("#password", PASSWORD);
      await page.click("#admin-form button");
      await page.locator("#dashboard", { hasText: "Welcome" }).waitFor();
      expect(JSON.parse((await page.textContent("#dashboard")) ?? "")).toEqual({ message: "Welcome, admin@example.com" });
      // Kept for a person to look at (git-ignored): test-artifacts/sign-in-page.png.
      await page.screenshot({ path: fileURLToPath(new URL("../../../test-artifacts/sign-in-page.png", import.meta.url)), fullPage: true });
      expect(foreign).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
      await app.stop();
    }
  });

  it("serves only plain file names from the vendored noble packages", async () => {
    const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
    const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    expect((await app.request("/vendor/@noble/post-quantum/ml-dsa.js")).status).toBe(200);
    expect((await app.request("/vendor/@noble/post-quantum/..%2Fpackage.json")).status).toBe(404);
    expect((await app.request("/vendor/@noble/hashes/.hidden.js")).status).toBe(404);
    expect((await app.request("/vendor/@noble/hashes/missing.js")).status).toBe(404);
    expect((await app.request("/vendor/@noble/curves/abstract/fft.js")).status).toBe(200);
    expect((await app.request("/vendor/@noble/curves/abstract/../../package.json")).status).toBe(404);
    expect((await app.request("/")).headers.get("content-type")).toBe("text/html; charset=utf-8");
  });

  it("sends security headers: a CSP with the import map's hash and no inline script otherwise, nosniff, no Referer, no framing", async () => {
    const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
    const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    try {
      const res = await app.request("/");
      const html = await res.text();
      const csp = res.headers.get("content-security-policy") ?? "";
      const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
      expect(importMap).toContain("@noble/post-quantum/");
      const hash = `'sha256-${createHash("sha256").update(importMap).digest("base64")}'`;
      expect(directives["script-src"]).toEqual(["'self'", hash]);
      expect(directives["default-src"]).toEqual(["'none'"]);
      expect(directives["frame-ancestors"]).toEqual(["'none'"]);
      expect(directives["object-src"]).toEqual(["'none'"]);
      expect(directives["base-uri"]).toEqual(["'none'"]);
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect([res.headers.get("x-frame-options"), res.headers.get("x-content-type-options"), res.headers.get("referrer-policy")]).toEqual(["DENY", "nosniff", "no-referrer"]);
      // The page's other files: nosniff and no Referer too.
      for (const path of ["/app.js", "/style.css", "/vendor/@noble/post-quantum/ml-dsa.js"]) {
        const file = await app.request(path);
        expect([path, file.status, file.headers.get("x-content-type-options"), file.headers.get("referrer-policy")]).toEqual([path, 200, "nosniff", "no-referrer"]);
      }
    } finally {
      await app.stop();
    }
  });
});

import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chromiumLaunchOptions, foreignRequests, runBrowserTest } from "../../../test-support/browser.js";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { seedConfig } from "../src/config.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const PASSWORD = "browser-test-password";

describe("the sign-in page in a real browser", () => {
  it.skipIf(!runBrowserTest)("wallet sign-in with Ed25519 and ML-DSA-65 made in the browser, and the admin form", async () => {
    const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
    const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: { info() {}, warn() {}, error() {} } });
    const { url } = await app.start({ port: 0 });
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage();
      const foreign = foreignRequests(page, url);
      await page.goto(`${url}/`);
      for (const algorithm of ["Ed25519", "ML-DSA-65"]) {
        await page.selectOption("#algorithm", algorithm);
        await page.click("#new-key");
        await page.waitForFunction('document.getElementById("address").textContent.startsWith("0x")');
        const address = await page.textContent("#address");
        await page.click("#sign-in");
        await page.waitForFunction(`document.getElementById("profile").textContent.includes(${JSON.stringify(address)})`);
        expect(JSON.parse((await page.textContent("#profile")) ?? "")).toEqual({ subject: address, role: "wallet" });
        expect(JSON.parse((await page.textContent("#claims")) ?? "")).toMatchObject({ sub: address, algorithm, role: "wallet" });
        expect(await page.textContent("#dashboard")).toContain("403 Requires one of roles: ['admin']");
      }

      await page.fill("#password", "wrong password");
      await page.click("#admin-form button");
      await page.waitForSelector("#error:not([hidden])");
      expect(await page.textContent("#error")).toBe("/api/v1/auth/login: 401 invalid credentials");

      await page.fill("#password", PASSWORD);
      await page.click("#admin-form button");
      await page.waitForFunction('document.getElementById("dashboard").textContent.includes("Welcome")');
      expect(JSON.parse((await page.textContent("#dashboard")) ?? "")).toEqual({ message: "Welcome, admin@example.com" });
      // Kept for a person to look at (git-ignored): test-artifacts/sign-in-page.png.
      await page.screenshot({ path: fileURLToPath(new URL("../../../test-artifacts/sign-in-page.png", import.meta.url)), fullPage: true });
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
      await app.stop();
    }
  });

  it("serves only plain file names from the vendored noble packages", async () => {
    const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
    const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: { info() {}, warn() {}, error() {} } });
    expect((await app.request("/vendor/@noble/post-quantum/ml-dsa.js")).status).toBe(200);
    expect((await app.request("/vendor/@noble/post-quantum/..%2Fpackage.json")).status).toBe(404);
    expect((await app.request("/vendor/@noble/hashes/.hidden.js")).status).toBe(404);
    expect((await app.request("/vendor/@noble/hashes/missing.js")).status).toBe(404);
    expect((await app.request("/vendor/@noble/curves/abstract/fft.js")).status).toBe(200);
    expect((await app.request("/vendor/@noble/curves/abstract/../../package.json")).status).toBe(404);
    expect((await app.request("/")).headers.get("content-type")).toBe("text/html; charset=utf-8");
  });
});

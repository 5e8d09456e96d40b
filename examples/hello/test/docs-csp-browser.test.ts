import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chromiumLaunchOptions, cspViolations, foreignRequests, runBrowserTest } from "../../../test-support/browser.js";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";

const root = fileURLToPath(new URL("..", import.meta.url));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("the docs page under its Content-Security-Policy, in a real browser", () => {
  it.skipIf(!runBrowserTest)("Swagger UI renders and runs a call with nothing blocked, and a page on another origin cannot frame it", async () => {
    const app = new Application({ moduleNames: ["hello"], root, env: {}, logger: quiet });
    const { port } = await app.start({ port: 0, host: "127.0.0.1" });
    // A name other than localhost/127.0.0.1, as in production: Swagger UI only shows its online
    // validator badge (an image from validator.swagger.io) for such hosts.
    const url = `http://docs.test:${port}`;
    // Another origin (another port) whose page tries to frame the docs.
    const framer = createServer((_req, res) => res.end(`<!doctype html><iframe id="docs" src="${url}/docs" width="800" height="600"></iframe>`));
    await new Promise<void>((resolve) => framer.listen(0, "127.0.0.1", resolve));
    const framerUrl = `http://127.0.0.1:${(framer.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ ...chromiumLaunchOptions, args: [...chromiumLaunchOptions.args, "--host-resolver-rules=MAP docs.test 127.0.0.1"] });
    try {
      const page = await browser.newPage();
      const foreign = foreignRequests(page, url);
      const blocked = await cspViolations(page);
      const response = await page.goto(`${url}/docs`);
      expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
      await page.locator(".opblock-summary-path", { hasText: "/hello/{name}" }).click();
      await page.locator("button.try-out__btn").click();
      await page.locator('input[placeholder="name"]').fill("browser");
      await page.locator("button.execute").click();
      await page.locator(".response-col_description .microlight", { hasText: "browser" }).first().waitFor({ timeout: 15_000 });
      expect(blocked).toEqual([]);
      expect(foreign).toEqual([]);

      // frame-ancestors 'none' (and X-Frame-Options: DENY): Chromium shows an error page instead of the docs.
      const framing = await browser.newPage();
      const refused: string[] = [];
      framing.on("console", (message) => void (/frame-ancestors|X-Frame-Options|Refused to (display|frame)/i.test(message.text()) && refused.push(message.text())));
      await framing.goto(framerUrl);
      await framing.locator("#docs").waitFor();
      await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const frame = framing.frames().find((f) => f !== framing.mainFrame());
      expect(await frame?.locator("#swagger-ui").count()).toBe(0);
    } finally {
      await browser.close();
      framer.close();
      await app.stop();
    }
  });
});

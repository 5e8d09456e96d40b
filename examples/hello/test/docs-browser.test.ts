import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, chromiumLaunchOptions, foreignRequests, runBrowserTest } from "../../../test-support/browser.js";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("docs page in a real browser", () => {
  it.skipIf(!runBrowserTest)("lists the example's operations, with no request leaving this machine", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`).toBe(true);
    const app = new Application({ moduleNames: ["hello"], root, env: {}, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const { url } = await app.start({ port: 0 });
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage();
      const foreign = foreignRequests(page, url);
      await page.goto(`${url}/docs`);
      await page.waitForSelector(".opblock-summary-path", { timeout: 15_000 });
      const operations = await page.$$eval(".opblock-summary", (nodes) => nodes.map((n) => (n.textContent ?? "").replace(/\s+/g, " ").trim()));
      expect(operations).toHaveLength(3);
      expect(operations.join(" | ")).toContain("GET/helloGreet the world");
      expect(operations.join(" | ")).toContain("GET/hello/{name}Greet someone by name");
      expect(operations.join(" | ")).toContain("POST/helloGreet the name in the JSON body");
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
      await app.stop();
    }
  });
});

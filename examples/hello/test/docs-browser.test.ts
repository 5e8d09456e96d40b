import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// On a developer machine without Chromium (the README's Node-only set-up) this test is skipped and
// reported as such; in CI (CI=true) .ci/run installs Chromium and a missing one is a failure.
const runBrowserTest = existsSync(CHROMIUM) || Boolean(process.env.CI);

describe("docs page in a real browser", () => {
  it.skipIf(!runBrowserTest)("lists the example's operations, with no request leaving this machine", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`).toBe(true);
    const app = new Application({ moduleNames: ["hello"], root, env: {}, logger: { info() {}, warn() {}, error() {} } });
    const { url } = await app.start({ port: 0 });
    // Playwright gives the browser a fresh temporary profile; the flags keep it off the (closed) network.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const foreign: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith(url)) foreign.push(request.url());
      });
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

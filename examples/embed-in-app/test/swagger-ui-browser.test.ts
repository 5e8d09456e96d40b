import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { CHROMIUM, chromiumLaunchOptions, foreignRequests, runBrowserTest } from "../../../test-support/browser.js";
import { ADMIN, seedApp } from "./openapi-support.js";

/**
 * The policy issue 15 asks of /docs (scripts and styles from this server only, images also from
 * data:, no inline script), added here to the page's answer so this test holds under it whatever the
 * server sends; a header the server sends too is enforced as well (both policies apply).
 */
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/**
 * Records every CSP violation from the first script on: an init script is the browser's, not the
 * page's, so the policy does not apply to it.
 */
const RECORD_VIOLATIONS = `window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.effectiveDirective + " " + event.blockedURI));`;

/** Expands an operation, presses "Try it out" (filling the JSON body if given) and "Execute"; returns the live response's status and body. */
async function tryOut(page: Page, operationId: string, body?: unknown): Promise<{ status: string; body: string }> {
  const block = page.locator(`[id$="-${operationId}"]`);
  await block.locator(".opblock-summary-control").click();
  await block.locator(".try-out__btn").click();
  if (body !== undefined) await block.locator("textarea.body-param__text").fill(JSON.stringify(body));
  await block.locator("button.execute").click();
  const response = block.locator(".live-responses-table .response").first();
  await response.waitFor({ timeout: 15_000 });
  return {
    status: (await response.locator(".response-col_status").textContent())?.trim() ?? "",
    body: (await response.locator(".response-col_description pre").first().textContent()) ?? "",
  };
}

describe("Swagger UI of the seed app in a real browser", () => {
  it.skipIf(!runBrowserTest)("logs in with Try it out, authorizes with the token and calls /api/profile, under the /docs CSP", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`).toBe(true);
    const app = seedApp();
    const { url } = await app.start({ port: 0 });
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage();
      const foreign = foreignRequests(page, url);
      await page.addInitScript(RECORD_VIOLATIONS);
      await page.route(`${url}/docs`, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": DOCS_CSP } });
      });
      const docs = await page.goto(`${url}/docs`);
      expect(docs?.headers()["content-security-policy"]).toContain("script-src 'self';");
      await page.waitForSelector(".opblock-summary-path", { timeout: 15_000 });

      const login = await tryOut(page, "AuthController_adminLogin", ADMIN);
      expect(login.status).toBe("200");
      const tokens = JSON.parse(login.body) as { access_token: string; token_type: string; expires_in: number };
      expect([tokens.token_type, tokens.expires_in]).toEqual(["Bearer", 1800]);

      await page.locator(".auth-wrapper .authorize").click();
      const scheme = page.locator(".modal-ux .auth-container").filter({ hasText: "bearerAuth" });
      await scheme.locator("input").fill(tokens.access_token);
      await scheme.locator("button.authorize").click();
      await scheme.locator("h6", { hasText: "Authorized" }).waitFor({ timeout: 5_000 });
      await scheme.locator("button.btn-done").click();

      const profile = await tryOut(page, "MyController_profile");
      expect([profile.status, JSON.parse(profile.body)]).toEqual(["200", { subject: ADMIN.email, role: "admin" }]);
      expect(foreign).toEqual([]);
      const violations = () => page.evaluate("window.cspViolations") as Promise<string[]>;
      expect(await violations()).toEqual([]);
      // The recorder sees what the policy blocks: an inline script is refused, and recorded.
      await page.addScriptTag({ content: "window.inlineRan = true" }).catch(() => undefined);
      await page.waitForFunction("window.cspViolations.length > 0", undefined, { timeout: 5_000 });
      expect(await violations()).toEqual(["script-src-elem inline"]);
    } finally {
      await browser.close();
      await app.stop();
    }
  }, 60_000);
});

import { existsSync } from "node:fs";

/** Shared by the headless-browser tests of the examples (Debian's Chromium, driven by playwright-core). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// On a developer machine without Chromium (the README's Node-only set-up) the browser tests are
// skipped and reported as such; in CI (CI=true) .ci/run installs Chromium and a missing one fails.
export const runBrowserTest = existsSync(CHROMIUM) || Boolean(process.env.CI);

/** Launch options: Playwright gives a fresh temporary profile; the flags keep it off the (closed) network. */
export const chromiumLaunchOptions = {
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

/** Records every request a page makes to anywhere but `origin`; the tests expect none. */
export function foreignRequests(page: { on(event: "request", listener: (request: { url(): string }) => void): unknown }, origin: string): string[] {
  const foreign: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(origin)) foreign.push(request.url());
  });
  return foreign;
}

interface ViolationSource {
  on(event: "console", listener: (message: { text(): string }) => void): unknown;
  exposeFunction(name: string, callback: (text: string) => void): Promise<unknown>;
  addInitScript(script: string): Promise<unknown>;
}

/**
 * Everything the page's Content-Security-Policy refuses, from the first script on: console
 * "Refused to ..." messages and `securitypolicyviolation` events (directive and blocked URI).
 * Call before the first `goto`; the tests expect the list to stay empty.
 */
export async function cspViolations(page: ViolationSource): Promise<string[]> {
  const blocked: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(message.text());
  });
  await page.exposeFunction("reportViolation", (text: string) => blocked.push(text));
  await page.addInitScript('document.addEventListener("securitypolicyviolation", (e) => window.reportViolation(e.violatedDirective + " " + e.blockedURI))');
  return blocked;
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { openapiOf, run, seedApp } from "./openapi-support.js";
import type { OpenApi } from "./openapi-support.js";

const REDOCLY = join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin/cli.js");

interface Problem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: { pointer: string }[];
}

/**
 * Redocly CLI's `recommended` ruleset over `document`, offline: no telemetry, no update check, HOME
 * and TMPDIR in a directory of its own (it keeps an id and a version file there), and a proxy on a
 * closed port, so a request it still tried would fail fast rather than leave the machine.
 */
async function lint(document: unknown): Promise<Problem[]> {
  const dir = await mkdtemp(join(tmpdir(), "pico-redocly-"));
  try {
    await writeFile(join(dir, "openapi.json"), JSON.stringify(document));
    const env = { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_SUPPRESS_NOTIFICATIONS: "true", CI: "true", NO_COLOR: "1", HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" };
    const { code, stdout, stderr } = await run(process.execPath, [REDOCLY, "lint", "--extends", "recommended", "--format", "json", "openapi.json"], { cwd: dir, env });
    const problems = (JSON.parse(stdout) as { problems: Problem[] }).problems;
    // Exit code 1 exactly when it found errors: anything else is the tool failing, not the document.
    expect(code, stderr).toBe(problems.some((p) => p.severity === "error") ? 1 : 0);
    return problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const summary = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}`);

describe("the seed app's OpenAPI document under Redocly's recommended lint", () => {
  it("reports 0 errors, and an operation without security would be one", async () => {
    const app = seedApp();
    const document = await openapiOf(app);
    await app.stop();
    const problems = await lint(document);
    expect(summary(problems.filter((p) => p.severity === "error"))).toEqual([]);
    // Warnings are advice; the ones this project does not take: a license, tag descriptions, a 4xx for public reads (JWKS).
    const accepted = new Set(["info-license", "tag-description", "operation-4xx-response"]);
    expect(summary(problems.filter((p) => !accepted.has(p.ruleId)))).toEqual([]);

    // The lint can fail: the login operation as it was before issue 15, with no security declared.
    const broken = structuredClone(document) as OpenApi;
    delete broken.paths["/api/v1/auth/login"]?.post?.security;
    expect(summary((await lint(broken)).filter((p) => p.severity === "error"))).toEqual(["error security-defined #/paths/~1api~1v1~1auth~1login/post"]);
  });
});

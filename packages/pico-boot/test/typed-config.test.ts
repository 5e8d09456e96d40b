import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClientSettings } from "pico-client-auth";
import { WebSettings } from "pico-hono";
import { getSettingsDefinition, toSnakeCase } from "pico-ioc";
import { ServerAuthSettings } from "pico-server-auth";

/**
 * `config` is checked by tsc against the settings classes of the modules named: compiled here with
 * the repository's own compiler (TypeScript 7 has no JS API to call, so the test runs `tsc`), on a
 * tiny project under test-artifacts/ so that it resolves the workspace packages as an app does.
 */
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const tsc = join(repo, "node_modules", ".bin", "tsc");
mkdirSync(join(repo, "test-artifacts"), { recursive: true });
const dir = mkdtempSync(join(repo, "test-artifacts", "typed-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function appSource(serverAuth: string, authClient: string, section = "auth_client"): string {
  return `import { Application } from "pico-boot";
// Loads the section types that pico-server-auth and pico-client-auth add (erased at run time).
import type {} from "pico-server-auth";
import type {} from "pico-client-auth";

export const app = new Application({
  moduleNames: ["pico_server_auth", "pico-client-auth"],
  config: {
    server_auth: { ${serverAuth}: "https://auth.example.com", access_token_expire_minutes: 15 },
    ${section}: { issuer: "https://auth.example.com", ${authClient}: "https://auth.example.com/jwks" },
    web: { title: "Typed", body_limit: 1024 },
  },
});
`;
}

/** Compiles one file with the repository's settings; resolves with tsc's exit code and output. */
function compile(name: string, source: string): Promise<{ code: number | null; output: string }> {
  const project = join(dir, name);
  mkdirSync(project);
  writeFileSync(join(project, "app.ts"), source);
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    extends: relative(project, join(repo, "tsconfig.base.json")),
    compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, customConditions: ["pico-source"] },
    files: ["app.ts"],
  }));
  return new Promise((resolve, reject) => {
    const child = spawn(tsc, ["-p", join(project, "tsconfig.json"), "--pretty", "false"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

type Compiled = Awaited<ReturnType<typeof compile>>;
let typo: Compiled, section: Compiled, right: Compiled;
// The three compiles run at once (about a second each on an idle machine); generous timeout for a busy one.
beforeAll(async () => {
  [typo, section, right] = await Promise.all([
    compile("typo", appSource("isuer", "jwks_uri")),
    compile("section", appSource("issuer", "jwks_url", "auth_clinet")),
    compile("right", appSource("issuer", "jwks_url")),
  ]);
}, 60_000);

describe("typed config (tsc on a fixture app)", () => {
  it("a misspelt key fails tsc, and the message names the typo and the right key; the right spelling compiles", () => {
    expect(typo.code, typo.output).not.toBe(0);
    expect(typo.output).toContain("'isuer' does not exist in type 'SettingsSection<ServerAuthSettings>'. Did you mean to write 'issuer'?");
    expect(typo.output).toContain("'jwks_uri' does not exist in type 'SettingsSection<AuthClientSettings>'. Did you mean to write 'jwks_url'?");
    expect(right.output).toBe("");
    expect(right.code).toBe(0);
  });

  it("a misspelt section fails tsc too, naming the right one", () => {
    expect(section.code, section.output).not.toBe(0);
    expect(section.output).toMatch(/'auth_clinet' does not exist in type 'ApplicationConfig<.*>'\. Did you mean to write 'auth_client'\?/);
  });

  it("every first-party setting's key is its property in snake_case, which is what SettingsSection derives", () => {
    for (const settings of [WebSettings, AuthClientSettings, ServerAuthSettings]) {
      const renamed = getSettingsDefinition(settings)?.fields.filter((field) => field.key !== toSnakeCase(field.property)) ?? ["not a settings class"];
      expect(renamed, settings.name).toEqual([]);
    }
  });
});

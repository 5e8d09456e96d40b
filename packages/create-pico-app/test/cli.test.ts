import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PICO_PACKAGES, ownVersion } from "../src/index.js";

// The built bin, as `npm create pico-app` runs it (pnpm build makes it).
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
let scratch = "";
beforeEach(() => void (scratch = mkdtempSync(join(tmpdir(), "create-pico-app-cli-"))));
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function run(...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, [cli, ...args], { cwd: scratch, encoding: "utf8" });
  return { status, stdout, stderr };
}

/** A folder holding an (empty) tarball per pico package: the scaffolder only names them. */
function tarballFolder(names: readonly string[] = PICO_PACKAGES): string {
  const folder = join(scratch, "tarballs");
  mkdirSync(folder, { recursive: true });
  for (const name of names) writeFileSync(join(folder, `${name}-0.2.0.tgz`), "");
  return folder;
}

describe("create-pico-app on the command line", () => {
  it("makes an app whose pico dependencies are this release's minor, from the registry", () => {
    const { status, stdout } = run("my-app");
    expect(status).toBe(0);
    expect(stdout).toContain("cd my-app");
    const manifest = JSON.parse(readFileSync(join(scratch, "my-app", "package.json"), "utf8")) as { name: string; dependencies: Record<string, string>; exports: Record<string, string>; scripts: Record<string, string> };
    expect(manifest.name).toBe("my-app");
    expect(manifest.dependencies).toEqual(Object.fromEntries(PICO_PACKAGES.map((name) => [name, `^${ownVersion()}`])));
    expect(manifest.exports["."]).toBe("./dist/src/index.js");
    expect(manifest.scripts).toEqual({ build: "tsc", start: "node dist/src/main.js", test: "tsc && node --test dist/test/*.test.js" });
    // The template's name placeholder is replaced everywhere; npm's dropped .gitignore is restored.
    expect(readFileSync(join(scratch, "my-app", "src", "config.ts"), "utf8")).toContain('export const APP_NAME = "my-app";');
    expect(readFileSync(join(scratch, "my-app", "README.md"), "utf8")).toMatch(/^# my-app\n/);
    expect(readFileSync(join(scratch, "my-app", ".gitignore"), "utf8")).toContain("node_modules/");
    const tsconfig = JSON.parse(readFileSync(join(scratch, "my-app", "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ experimentalDecorators: true, emitDecoratorMetadata: true });
  });

  it("takes the pico packages from a folder of tarballs with --packages", () => {
    const folder = tarballFolder();
    expect(run("apps/api", "--packages", folder).status).toBe(0);
    const { name, dependencies } = JSON.parse(readFileSync(join(scratch, "apps", "api", "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
    expect(name).toBe("api");
    expect(dependencies).toEqual(Object.fromEntries(PICO_PACKAGES.map((p) => [p, `file:${join(folder, `${p}-0.2.0.tgz`)}`])));
  });

  it("accepts an existing empty directory", () => {
    mkdirSync(join(scratch, "empty"));
    expect(run("empty").status).toBe(0);
  });

  it("prints its usage with --help", () => {
    const { status, stdout } = run("--help");
    expect([status, stdout]).toEqual([0, expect.stringContaining("Usage: create-pico-app <directory>")]);
  });

  const refusals: [string, () => string[], RegExp][] = [
    ["no directory", () => [], /missing the app's directory/],
    ["two directories", () => ["one", "two"], /one directory expected, got "one", "two"/],
    ["an unknown option", () => ["my-app", "--typescript"], /unknown option --typescript/],
    ["--packages without a folder", () => ["my-app", "--packages"], /--packages needs a folder/],
    ["a name npm refuses", () => ["My App"], /cannot name the app "My App".*lower case/],
    ["a special character npm refuses in new names", () => ["my~app"], /cannot name the app "my~app"/],
    ["a pico package's name", () => ["pico-boot"], /"pico-boot" is the name of a pico package/],
    ["a missing tarball folder", () => ["my-app", "--packages", join(scratch, "nowhere")], /is not a folder/],
    ["a folder missing a tarball", () => ["my-app", "--packages", tarballFolder(["pico-boot", "pico-ioc"])], /no pico-client-auth-<version>\.tgz; no pico-hono-<version>\.tgz; no pico-server-auth-<version>\.tgz/],
    ["a non-empty directory", () => (mkdirSync(join(scratch, "full")), writeFileSync(join(scratch, "full", "x"), ""), ["full"]), /full exists and is not empty/],
    ["a file in the way", () => (writeFileSync(join(scratch, "file-app"), ""), ["file-app"]), /file-app exists and is not a directory/],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} with exit code 2 and its reason, writing nothing`, () => {
      const argv = args();
      const { status, stderr } = run(...argv);
      expect(status).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain("Usage: create-pico-app");
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it("writes nothing when it refuses", () => {
    expect(run("my-app", "--packages", join(scratch, "nowhere")).status).toBe(2);
    expect(() => readFileSync(join(scratch, "my-app", "package.json"))).toThrow(/ENOENT/);
  });
});

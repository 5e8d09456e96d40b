import { beforeAll, describe, expect, it } from "vitest";
import { Application, ModuleImportError, ModuleNotFoundError, moduleNameCandidates } from "../src/index.js";
import { fixtureApp, fixtureAppWithoutExports, linkFixturePackages } from "./fixtures.js";

beforeAll(linkFixturePackages);

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const noPlugins = { PICO_BOOT_AUTO_PLUGINS: "false" };

async function body(app: Application, path: string): Promise<unknown> {
  const res = await app.request(path);
  return res.status === 200 ? res.json() : res.status;
}

describe("loading modules by name", () => {
  it("tries the name as given, then with _ and - swapped", () => {
    expect(moduleNameCandidates("pico_server_auth")).toEqual(["pico_server_auth", "pico-server-auth"]);
    expect(moduleNameCandidates("my-app")).toEqual(["my-app", "my_app"]);
    expect(moduleNameCandidates("plain")).toEqual(["plain"]);
  });

  it("resolves underscore spellings and the app's own package from the app, not from pico-boot", async () => {
    const app = new Application({ moduleNames: ["fixture_app", "fixture_lib"], root: fixtureApp, env: noPlugins, logger: quiet });
    expect(await body(app, "/app")).toEqual({ greeting: "Hello", retries: 1, instance: expect.any(Number) });
    expect(await body(app, "/lib")).toEqual({ from: "lib", service: "LibService" });
    expect(await body(app, "/plugin")).toBe(404);
    await app.stop();
  });

  it("takes a factory a module exports: its product is injected, and destroyed at stop", async () => {
    const { destroyed } = await import("./fixtures/fixture-lib/index.js");
    destroyed.length = 0;
    const app = new Application({ moduleNames: ["fixture_app", "fixture_lib"], root: fixtureApp, env: noPlugins, logger: quiet });
    expect(await body(app, "/lib-factory")).toEqual({ text: "made from LibService" });
    await app.stop();
    expect(destroyed).toEqual(["LibGreeting", "LibService"]);
  });

  it("resolves an app package that has no exports field by its own directory", async () => {
    const app = new Application({ moduleNames: ["app-without-exports"], root: fixtureAppWithoutExports, env: noPlugins, logger: quiet });
    expect(await body(app, "/self")).toEqual({ self: true });
  });

  it("discovers dependencies marked as pico modules, loads each module once, and can be switched off", async () => {
    const infos: string[] = [];
    // The access log's lines are not about modules.
    const logger = { ...quiet, info: (m: string, fields?: { event?: unknown }) => void (fields?.event === "http.request" || infos.push(m)) };
    // fixture_plugin is both listed and discovered: loading it twice would fail boot with a route conflict.
    const app = new Application({ moduleNames: ["fixture-app", "fixture_plugin"], root: fixtureApp, env: {}, logger });
    expect(await body(app, "/plugin")).toEqual({ from: "plugin" });
    expect(infos).toEqual([]);

    const discovered = new Application({ moduleNames: ["fixture-app"], root: fixtureApp, env: {}, logger });
    expect(await body(discovered, "/plugin")).toEqual({ from: "plugin" });
    expect(infos).toEqual(['pico-boot: loading plugin "fixture-plugin" (declared "pico": { "module": true })']);

    for (const value of ["false", "0", "No", "OFF"]) {
      const off = new Application({ moduleNames: ["fixture-app"], root: fixtureApp, env: { PICO_BOOT_AUTO_PLUGINS: value }, logger: quiet });
      expect(await body(off, "/plugin")).toBe(404);
    }
    const optionWins = new Application({ moduleNames: ["fixture-app"], root: fixtureApp, env: {}, autoPlugins: false, logger: quiet });
    expect(await body(optionWins, "/plugin")).toBe(404);
  });

  it("resolves by ESM rules: import-only exports, the ESM build of a dual package", async () => {
    const app = new Application({ moduleNames: ["fixture-app", "esm_only", "dual-package"], root: fixtureApp, env: noPlugins, logger: quiet });
    expect(await body(app, "/esm")).toEqual({ from: "esm-only" });
    expect(await body(app, "/dual")).toEqual({ from: "dual-package ESM build" });
  });

  it("a package with no entry for Node's import conditions is reported with the reason", async () => {
    const app = new Application({ moduleNames: ["browser-only"], root: fixtureApp, env: noPlugins, logger: quiet });
    await expect(app.init()).rejects.toThrow(/tried "browser-only", "browser_only" from .* \("browser-only": its "exports" has no "\." entry for the conditions .*import, default; "browser_only": not installed\)/);
  });

  it("an unknown module names the module, the specifiers tried and where it looked", async () => {
    const app = new Application({ moduleNames: ["fixture-app", "my_missing_app"], root: fixtureApp, env: noPlugins, logger: quiet });
    const error = await app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect((error as ModuleNotFoundError).code).toBe("MODULE_NOT_FOUND");
    expect((error as Error).message).toContain(`Cannot find pico module "my_missing_app": tried "my_missing_app", "my-missing-app" from ${fixtureApp} (package "fixture-app")`);
    expect((error as ModuleNotFoundError).tried).toEqual(["my_missing_app", "my-missing-app"]);
  });

  it("a module that throws on import is named, with the cause", async () => {
    const app = new Application({ moduleNames: ["fixture-app", "broken_module"], root: fixtureApp, env: noPlugins, logger: quiet });
    const error = await app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleImportError);
    expect((error as Error).message).toMatch(/^Pico module "broken_module" \(.*broken-module\/index\.ts\) failed to import: Error: kaboom while importing$/);
    expect(((error as Error).cause as Error).message).toBe("kaboom while importing");
  });
});

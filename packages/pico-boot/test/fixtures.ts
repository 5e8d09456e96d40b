import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const fixtureApp = join(here, "fixtures", "app");
export const fixtureAppWithoutExports = join(here, "fixtures", "app-without-exports");

/**
 * Installs the fixture packages into the fixture app's node_modules as symlinks, the way pnpm
 * links workspace packages (node_modules is git-ignored, so tests lay it out
 * themselves). Idempotent: test files may run it concurrently.
 */
export function linkFixturePackages(): void {
  const modules = join(fixtureApp, "node_modules");
  mkdirSync(modules, { recursive: true });
  for (const name of ["fixture-plugin", "fixture-lib", "broken-module", "esm-only", "dual-package", "browser-only"]) {
    if (!existsSync(join(modules, name))) symlinkSync(join(here, "fixtures", name), join(modules, name), "dir");
  }
}

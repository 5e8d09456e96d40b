import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AppPackage } from "./app-package.js";
import { readManifest } from "./app-package.js";

/**
 * The application's direct dependencies whose package.json says `"pico": { "module": true }`, in
 * manifest order. Only direct dependencies count: a plugin is something the app chose to install.
 */
export function discoverPlugins(app: AppPackage): string[] {
  const names = [...Object.keys(app.manifest.dependencies ?? {}), ...Object.keys(app.manifest.optionalDependencies ?? {})];
  return names.filter((name) => {
    const manifestPath = findInstalledManifest(app.dir, name);
    return manifestPath !== undefined && readManifest(manifestPath).pico?.module === true;
  });
}

/** Node's lookup: `node_modules/<name>` in the app directory, then in each parent directory. */
function findInstalledManifest(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `PICO_BOOT_AUTO_PLUGINS` turns discovery off with false, 0, no or off (any case); on by default. */
export function autoPluginsEnabled(value: string | undefined): boolean {
  return !["false", "0", "no", "off"].includes((value ?? "").trim().toLowerCase());
}

import { join } from "node:path";
import type { AppPackage } from "./app-package.js";
import { readManifest } from "./app-package.js";
import { findPackageDir } from "./resolve-package.js";

/**
 * The application's direct dependencies whose package.json says `"pico": { "module": true }`, in
 * manifest order. Only direct dependencies count: a plugin is something the app chose to install.
 */
export function discoverPlugins(app: AppPackage): string[] {
  const names = [...Object.keys(app.manifest.dependencies ?? {}), ...Object.keys(app.manifest.optionalDependencies ?? {})];
  return names.filter((name) => {
    const dir = findPackageDir(app.dir, name);
    return dir !== undefined && readManifest(join(dir, "package.json")).pico?.module === true;
  });
}

/** `PICO_BOOT_AUTO_PLUGINS` turns discovery off with false, 0, no or off (any case); on by default. */
export function autoPluginsEnabled(value: string | undefined): boolean {
  return !["false", "0", "no", "off"].includes((value ?? "").trim().toLowerCase());
}

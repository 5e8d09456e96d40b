import { pathToFileURL } from "node:url";
import { getComponentDefinition } from "pico-ioc";
import type { Constructor, Logger } from "pico-ioc";
import { ModuleImportError, ModuleNotFoundError } from "../errors.js";
import type { AppPackage } from "./app-package.js";
import { discoverPlugins } from "./discover-plugins.js";
import { UnresolvedPackage, resolvePackageEntry } from "./resolve-package.js";

export interface LoadedModules {
  /** Every decorated class the modules export, each once, in load order. */
  readonly components: readonly Constructor[];
  /** Names of the modules loaded, explicit ones first, as they were given. */
  readonly loaded: readonly string[];
}

/**
 * Imports each named module from the application's package and collects the decorated classes it
 * exports. Then, when `autoPlugins` is on, the app's dependencies that declare `"pico": { "module": true }`.
 * A module reached twice (two spellings, or listed and discovered) loads once.
 */
export async function loadModules(app: AppPackage, moduleNames: readonly string[], autoPlugins: boolean, logger: Logger): Promise<LoadedModules> {
  const byLocation = new Map<string, string>();
  for (const name of moduleNames) {
    const location = resolveModule(app, name);
    if (!byLocation.has(location)) byLocation.set(location, name);
  }
  if (autoPlugins) {
    for (const plugin of discoverPlugins(app)) {
      const location = resolveModule(app, plugin);
      if (!byLocation.has(location)) {
        logger.info(`pico-boot: loading plugin "${plugin}" (declared "pico": { "module": true })`);
        byLocation.set(location, plugin);
      }
    }
  }

  const components = new Set<Constructor>();
  for (const [location, name] of byLocation) {
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(pathToFileURL(location).href)) as Record<string, unknown>;
    } catch (error) {
      throw new ModuleImportError(name, location, error);
    }
    for (const value of Object.values(namespace)) {
      if (getComponentDefinition(value)) components.add(value as Constructor);
    }
  }
  return { components: [...components], loaded: [...byLocation.values()] };
}

/** `pico_server_auth` and `pico-server-auth` name the same package: try the name as given, then the other spelling. */
export function moduleNameCandidates(name: string): string[] {
  return [...new Set([name, name.replaceAll("_", "-"), name.replaceAll("-", "_")])];
}

/** The entry file of module `name`, resolved from the application's package. */
function resolveModule(app: AppPackage, name: string): string {
  const candidates = moduleNameCandidates(name);
  const reasons: string[] = [];
  for (const candidate of candidates) {
    const entry = resolvePackageEntry(app, candidate);
    if (!(entry instanceof UnresolvedPackage)) return entry;
    reasons.push(`"${candidate}": ${entry.reason}`);
  }
  const where = app.manifest.name ? `${app.dir} (package "${app.manifest.name}")` : app.dir;
  throw new ModuleNotFoundError(name, candidates, where, reasons);
}

import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AppPackage, PackageManifest } from "./app-package.js";
import { readManifest } from "./app-package.js";

type ExportsTarget = string | null | readonly ExportsTarget[] | { readonly [key: string]: ExportsTarget };

/** Why a package name could not be turned into an entry file. */
export class UnresolvedPackage {
  constructor(readonly reason: string) {}
}

/**
 * The file `import(name)` would load from the application's package, by Node's ESM rules: the
 * package is looked up in `node_modules` from the app directory upwards (pnpm's symlinks included,
 * and the app itself by its own name); its `exports` "." entry is read with the conditions Node
 * uses for `import` (`--conditions` first, then node, import, default), else `main`, else index.js.
 */
export function resolvePackageEntry(app: AppPackage, name: string): string | UnresolvedPackage {
  const dir = name === app.manifest.name ? app.dir : findPackageDir(app.dir, name);
  if (dir === undefined) return new UnresolvedPackage("not installed");
  const manifest = name === app.manifest.name ? app.manifest : readManifest(join(dir, "package.json"));
  const entry = entryOf(manifest);
  if (entry === undefined) return new UnresolvedPackage(`its "exports" has no "." entry for the conditions ${activeConditions().join(", ")}`);
  for (const file of [join(dir, entry), join(dir, `${entry}.js`), join(dir, entry, "index.js")]) {
    if (existsSync(file) && statSync(file).isFile()) return realpathSync(file);
  }
  return new UnresolvedPackage(`its entry ${entry} does not exist (not built yet?)`);
}

/** `node_modules/<name>` in `from`, then in each parent directory (Node's lookup). */
export function findPackageDir(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function entryOf(manifest: PackageManifest): string | undefined {
  if (manifest.exports === undefined) return manifest.main ?? "index.js";
  const exports = manifest.exports as ExportsTarget;
  const isSubpathMap = exports !== null && typeof exports === "object" && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith("."));
  return resolveTarget(isSubpathMap ? (exports as Record<string, ExportsTarget>)["."] : exports, new Set(activeConditions()));
}

function resolveTarget(target: ExportsTarget | undefined, conditions: ReadonlySet<string>): string | undefined {
  if (target === undefined || target === null) return undefined;
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const option of target) {
      const resolved = resolveTarget(option, conditions);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  // Conditions are tried in the package's key order, as Node does.
  for (const [condition, value] of Object.entries(target as Record<string, ExportsTarget>)) {
    if (!conditions.has(condition)) continue;
    const resolved = resolveTarget(value, conditions);
    if (resolved !== undefined) return resolved;
  }
  return undefined;
}

/** The conditions of this process's ESM resolver: user conditions (`--conditions`, `-C`) first. */
export function activeConditions(): string[] {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean)];
  const user: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const match = /^(?:--conditions|-C)(?:=(.*))?$/.exec(args[i] as string);
    if (!match) continue;
    const value = match[1] ?? args[++i];
    if (value) user.push(value);
  }
  return [...new Set([...user, "node", "import", "default"])];
}

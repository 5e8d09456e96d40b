import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package that module names are resolved from: its directory and its package.json. */
export interface AppPackage {
  readonly dir: string;
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  readonly name?: string;
  readonly main?: string;
  readonly exports?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly pico?: { readonly module?: boolean };
}

/**
 * Finds the application's package: the nearest package.json at or above `from`. Default `from` is
 * the directory of the script Node was started with, so `node dist/main.js` works from any cwd.
 */
export function findAppPackage(from: string | URL | undefined): AppPackage {
  const start = toDirectory(from ?? process.argv[1] ?? process.cwd());
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return { dir, manifest: readManifest(file) };
    if (dirname(dir) === dir) return { dir: start, manifest: {} };
  }
}

export function readManifest(file: string): PackageManifest {
  return JSON.parse(readFileSync(file, "utf8")) as PackageManifest;
}

function toDirectory(location: string | URL): string {
  const path = location instanceof URL || location.startsWith("file:") ? fileURLToPath(location) : resolve(location);
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const PNPM = ["--yes", "pnpm@10.34.8"];

/** The publishable packages of the workspace: every packages/* whose package.json is not private. */
export function publishablePackages(): { name: string; version: string; dir: string }[] {
  return readdirSync(join(repo, "packages"))
    .map((entry) => join(repo, "packages", entry))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string; private?: boolean } }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ name: manifest.name, version: manifest.version, dir }));
}

/**
 * Packs every publishable package with `pnpm pack` (which turns `workspace:*` into the real versions,
 * as a publish would) into `outDir`; returns the tarball path of each package by name. The packages
 * must be built (`pnpm build`) first: a tarball holds what is on disk.
 */
export function packWorkspace(outDir: string): Record<string, string> {
  mkdirSync(outDir, { recursive: true });
  const packages = publishablePackages();
  // One recursive pnpm run for all of them: npx and pnpm start once instead of once per package.
  const filters = packages.flatMap(({ name }) => ["--filter", name]);
  execFileSync("npx", [...PNPM, "--recursive", ...filters, "pack", "--pack-destination", outDir], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
  const tarballs: Record<string, string> = {};
  for (const { name, version, dir } of packages) {
    // pnpm names the tarball <name>-<version>.tgz, a scope's "@" dropped and its "/" made "-".
    const tarball = join(outDir, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack in ${dir} left no ${tarball}`);
    tarballs[name] = tarball;
  }
  return tarballs;
}

/** The paths inside a package tarball, without npm's leading `package/`. */
export function tarballEntries(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"))
    .map((line) => line.replace(/^package\//, ""));
}

/** Unpacks a package tarball into `outDir` (created); returns the package's folder there (`outDir/package`). */
export function unpackTarball(tarball: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", outDir]);
  return join(outDir, "package");
}

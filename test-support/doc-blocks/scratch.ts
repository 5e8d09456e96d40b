import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** Entries of the repository root a scratch copy must not link: pnpm would take the copy for the workspace. */
const NOT_LINKED = new Set([".git", "test-artifacts", "examples", "package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml"]);

/**
 * A copy of the repository in which a page's files can be written without touching the real tree:
 * top-level folders and the examples are links, the page's files are real. Commands that walk up
 * from it for a workspace (pnpm) find the real repository.
 */
export function scratchCopy(repo: string, dir: string, files: ReadonlyArray<{ path: string; text: string }>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "examples"), { recursive: true });
  for (const entry of readdirSync(repo)) if (!NOT_LINKED.has(entry)) symlinkSync(join(repo, entry), join(dir, entry));
  for (const example of readdirSync(join(repo, "examples"))) symlinkSync(join(repo, "examples", example), join(dir, "examples", example));
  for (const { path, text } of files) {
    const target = resolve(dir, path);
    const inside = relative(dir, target);
    const linked = inside.split(sep).slice(0, inside.startsWith(`examples${sep}`) ? 2 : 1).join(sep);
    if (inside.startsWith("..") || (existsSync(join(dir, linked)) && lstatSync(join(dir, linked)).isSymbolicLink())) {
      throw new Error(`doc:file ${path} would write into the repository itself (${linked} is linked in): pick a new folder`);
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text.endsWith("\n") ? text : `${text}\n`);
  }
  for (const { path } of files) if (path.endsWith("package.json")) linkWorkspaceDependencies(repo, dirname(resolve(dir, path)));
}

/** What `pnpm install` does for a new workspace package: link each `workspace:` dependency. */
function linkWorkspaceDependencies(repo: string, packageDir: string): void {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const workspace = workspacePackages(repo);
  for (const field of ["dependencies", "devDependencies"]) {
    for (const [name, version] of Object.entries(manifest[field] ?? {})) {
      if (!version.startsWith("workspace:")) continue;
      const source = workspace.get(name);
      if (!source) throw new Error(`${packageDir}/package.json: ${name} is not a package of this workspace`);
      mkdirSync(dirname(join(packageDir, "node_modules", name)), { recursive: true });
      symlinkSync(source, join(packageDir, "node_modules", name));
    }
  }
}

function workspacePackages(repo: string): Map<string, string> {
  const packages = new Map<string, string>();
  for (const group of ["packages", "examples"]) {
    for (const entry of readdirSync(join(repo, group))) {
      const manifest = join(repo, group, entry, "package.json");
      if (existsSync(manifest)) packages.set((JSON.parse(readFileSync(manifest, "utf8")) as { name: string }).name, join(repo, group, entry));
    }
  }
  return packages;
}

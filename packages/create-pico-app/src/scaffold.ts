import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { invalidAppName } from "./arguments.js";
import { UsageError } from "./errors.js";

/** The packages a new app depends on, all versioned with this one. */
export const PICO_PACKAGES = ["pico-boot", "pico-client-auth", "pico-hono", "pico-ioc", "pico-server-auth"] as const;

// The same from src/ (tests) and dist/ (the bin): both sit beside template/ and package.json.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const templateDir = join(packageDir, "template");
/** Where the template's name stands; replaced by the app's package name in every file. */
const NAME_PLACEHOLDER = "__APP_NAME__";
/** npm leaves a package's .gitignore out of its tarball, so the template holds it under another name. */
const RENAMED: Record<string, string> = { gitignore: ".gitignore" };

export interface ScaffoldOptions {
  /** The app's folder: created, or an empty one. Its last segment names the package. */
  readonly directory: string;
  /** A folder of pico package tarballs to depend on (`file:` specs) instead of the registry's versions. */
  readonly packages?: string;
}

export interface Scaffolded {
  readonly name: string;
  readonly directory: string;
  readonly files: readonly string[];
}

/** Writes a new app; a UsageError (nothing written) when the name, the folder or the tarballs are not usable. */
export function scaffold(options: ScaffoldOptions): Scaffolded {
  const directory = resolve(options.directory);
  const name = basename(directory);
  const invalid = invalidAppName(name, PICO_PACKAGES);
  if (invalid) throw new UsageError(`cannot name the app "${name}" (the directory's name): ${invalid}`);
  if (existsSync(directory)) {
    if (!statSync(directory).isDirectory()) throw new UsageError(`${directory} exists and is not a directory`);
    if (readdirSync(directory).length > 0) throw new UsageError(`${directory} exists and is not empty: choose a new directory`);
  }
  const dependencies = options.packages === undefined ? registryRanges() : tarballSpecs(resolve(options.packages));

  const files: string[] = [];
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
    files.push(path);
  };
  write("package.json", `${JSON.stringify(appManifest(name, dependencies), null, 2)}\n`);
  for (const path of templateFiles(templateDir)) {
    const target = RENAMED[path] ?? path;
    write(target, readFileSync(join(templateDir, path), "utf8").replaceAll(NAME_PLACEHOLDER, name));
  }
  return { name, directory, files };
}

/** This package's version: the pico packages are released together, so it is theirs too. */
export function ownVersion(): string {
  return (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string }).version;
}

/** `^0.2.0`: any later patch of the same 0.x minor (in 0.x, a minor may break). */
function registryRanges(): Record<string, string> {
  return Object.fromEntries(PICO_PACKAGES.map((name) => [name, `^${ownVersion()}`]));
}

/** `file:` specs of `<name>-<version>.tgz` in `folder`, exactly one per pico package. */
function tarballSpecs(folder: string): Record<string, string> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--packages: ${folder} is not a folder`);
  const tarballs = readdirSync(folder).filter((file) => file.endsWith(".tgz"));
  const specs: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of PICO_PACKAGES) {
    // <name>-<version>.tgz, and not the tarball of a longer name (pico-boot-… vs a pico-boot-x-…).
    const found = tarballs.filter((file) => file.startsWith(`${name}-`) && /^\d/.test(file.slice(name.length + 1)));
    if (found.length === 1) specs[name] = `file:${join(folder, found[0] as string)}`;
    else problems.push(found.length === 0 ? `no ${name}-<version>.tgz` : `several ${name} tarballs (${found.join(", ")}): keep one`);
  }
  if (problems.length > 0) throw new UsageError(`--packages ${folder}: ${problems.join("; ")}`);
  return specs;
}

/** The new app's package.json: it exports its own module (src/index.ts built) so Application can load it by name. */
function appManifest(name: string, dependencies: Record<string, string>) {
  return {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20.19" },
    exports: { ".": "./dist/src/index.js", "./package.json": "./package.json" },
    scripts: {
      build: "tsc",
      start: "node dist/src/main.js",
      // The compiled tests, named: without arguments, Node >= 22 also picks test/*.test.ts and runs
      // them by type stripping, without decorator metadata. The shell expands the pattern (Node 20
      // takes no globs); on Windows, Node >= 22 expands it itself.
      test: "tsc && node --test dist/test/*.test.js",
    },
    dependencies,
    // typescript pinned exactly: its minor versions may change what compiles. 7.0 keeps legacy
    // decorators and emitDecoratorMetadata, which pico needs.
    devDependencies: { "@types/node": "^20.19.0", typescript: "7.0.2" },
  };
}

/** Every file under `dir`, as paths relative to it, sorted. */
function templateFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path).split("\\").join("/"));
    }
  };
  walk(dir);
  return found.sort();
}

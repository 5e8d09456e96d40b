import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packWorkspace, publishablePackages, tarballEntries, unpackTarball } from "../../../test-support/tarballs.js";

/**
 * What `pnpm pack` makes of each publishable package, as npm would publish it: read from the
 * tarballs themselves (manifest rewritten by publishConfig, file list), not from the workspace.
 */
interface PackedManifest {
  name: string;
  version: string;
  license?: string;
  main?: string;
  types?: string;
  files?: string[];
  exports?: unknown;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface Packed {
  manifest: PackedManifest;
  /** Paths in the tarball, without `package/`. */
  entries: Set<string>;
  /** Where the tarball is unpacked. */
  dir: string;
}

const workspace = publishablePackages();
const packed = new Map<string, Packed>();
let scratch = "";

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "pico-packed-"));
  const tarballs = packWorkspace(join(scratch, "tarballs"));
  for (const [name, tarball] of Object.entries(tarballs)) {
    const dir = unpackTarball(tarball, join(scratch, "unpacked", name));
    packed.set(name, { manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackedManifest, entries: new Set(tarballEntries(tarball)), dir });
  }
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every string a conditional `exports` map can resolve to. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.values(exports).flatMap(exportTargets);
}

/** The `types` targets of an `exports` map (whatever the nesting). */
function typesTargets(exports: unknown): string[] {
  if (exports === null || typeof exports !== "object") return [];
  return Object.entries(exports).flatMap(([key, value]) => (key === "types" && typeof value === "string" ? [value] : typesTargets(value)));
}

/** The module specifiers a .js or .d.ts file imports or re-exports (comments, where examples live, left out). */
function specifiers(code: string): string[] {
  const uncommented = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  // `… from "x"` (imports and re-exports, one line or several), `import("x")`, `import "x"`.
  const forms = [/(?:^|[}\s])from\s*["']([^"'\s]+)["']/gm, /\bimport\(\s*["']([^"'\s]+)["']\s*\)/g, /^\s*import\s*["']([^"'\s]+)["']/gm];
  return forms.flatMap((form) => [...uncommented.matchAll(form)].map((m) => m[1] as string));
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
const builtins = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith("node:") || builtins.has(packageOf(specifier));

/**
 * Whether an app installing `manifest`'s package gets the types of `dependency`: the dependency ships
 * its own (read from the workspace's install of it), or `@types/<dependency>` is a dependency too.
 */
function typesInstalledWith(dependency: string, manifest: PackedManifest): boolean {
  const typesPackage = `@types/${dependency.replace(/^@/, "").replace("/", "__")}`;
  if (manifest.dependencies?.[typesPackage] !== undefined) return true;
  const source = workspace.find((p) => p.name === manifest.name) as { dir: string };
  const installed = JSON.parse(readFileSync(join(source.dir, "node_modules", dependency, "package.json"), "utf8")) as { types?: string; typings?: string; exports?: unknown };
  return installed.types !== undefined || installed.typings !== undefined || typesTargets(installed.exports).length > 0;
}

const ALWAYS = new Set(["package.json", "README.md", "LICENSE"]);
/** Files only the workspace needs: tests, build state, the packages' own tsconfigs. The scaffolder's template is app content. */
const WORKSPACE_ONLY = /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$|\.tsbuildinfo$|(^|\/)tsconfig[^/]*\.json$|(^|\/)\.|(^|\/)node_modules\//;

describe("the packed packages, as npm would publish them", () => {
  it("packs every publishable package, all at one version (they are released together)", () => {
    expect([...packed.keys()].sort()).toEqual(workspace.map((p) => p.name).sort());
    expect(workspace.map((p) => p.name)).toEqual(expect.arrayContaining(["create-pico-app", "pico-boot", "pico-client-auth", "pico-hono", "pico-ioc", "pico-server-auth"]));
    const versions = new Set([...packed.values()].map((p) => p.manifest.version));
    expect(versions.size, [...versions].join(", ")).toBe(1);
    expect([...versions][0]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  for (const { name } of workspace) {
    describe(name, () => {
      const get = () => packed.get(name) as Packed;

      it("has a license, its LICENSE file and a README", () => {
        const { manifest, dir } = get();
        expect(manifest.license).toBe("MIT");
        expect(readFileSync(join(dir, "LICENSE"), "utf8")).toMatch(/^MIT License\n/);
        expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(new RegExp(`^# ${name}\\n`));
      });

      it("names real versions, never workspace: ranges, and exposes no workspace-only condition", () => {
        const { manifest } = get();
        const ranges = [manifest.dependencies, manifest.devDependencies, manifest.peerDependencies, manifest.optionalDependencies].flatMap((deps) => Object.entries(deps ?? {}));
        for (const [dependency, range] of ranges) {
          expect(range, dependency).not.toMatch(/^(workspace|link|file):/);
          if (packed.has(dependency)) expect(range, dependency).toBe(manifest.version);
        }
        expect(JSON.stringify(manifest)).not.toContain("pico-source");
      });

      it("publishes every subpath the workspace exports (publishConfig.exports drops only the pico-source condition)", () => {
        const source = workspace.find((p) => p.name === name) as { dir: string };
        const own = JSON.parse(readFileSync(join(source.dir, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
        expect(Object.keys((get().manifest.exports ?? {}) as Record<string, unknown>).sort()).toEqual(Object.keys(own.exports ?? {}).sort());
      });

      it("ships every file its exports, main, types and bin name, with types as .d.ts", () => {
        const { manifest, entries, dir } = get();
        const targets = [...exportTargets(manifest.exports), manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})].filter((t): t is string => t !== undefined);
        expect(targets.length).toBeGreaterThan(1);
        for (const target of targets) expect(entries, target).toContain(target.replace(/^\.\//, ""));
        for (const target of [...typesTargets(manifest.exports), manifest.types ?? "./dist/index.d.ts"]) expect(target).toMatch(/\.d\.ts$/);
        // A bin runs as a command: it needs its shebang (npm makes it executable on install).
        for (const bin of Object.values(manifest.bin ?? {})) expect(readFileSync(join(dir, bin), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
      });

      it("ships only its files: no tests, build state or tsconfigs of the workspace", () => {
        const { manifest, entries } = get();
        const roots = manifest.files ?? [];
        for (const entry of entries) {
          expect(ALWAYS.has(entry) || roots.some((root) => entry.startsWith(`${root}/`)), entry).toBe(true);
          if (!entry.startsWith("template/")) expect(entry).not.toMatch(WORKSPACE_ONLY);
        }
      });

      it("ships a fresh build: each source has its .js and .d.ts, each .js its source (no stale output)", () => {
        const { entries } = get();
        const sources = [...entries].filter((e) => e.startsWith("src/") && e.endsWith(".ts") && !e.endsWith(".d.ts"));
        const outputs = [...entries].filter((e) => e.startsWith("dist/") && e.endsWith(".js"));
        expect(sources.length).toBeGreaterThan(0);
        for (const source of sources) {
          const base = source.replace(/^src\//, "dist/").replace(/\.ts$/, "");
          expect(entries, source).toContain(`${base}.js`);
          expect(entries, source).toContain(`${base}.d.ts`);
        }
        for (const output of outputs) expect(entries, output).toContain(output.replace(/^dist\//, "src/").replace(/\.js$/, ".ts"));
      });

      it("imports only what it ships, its dependencies and Node's built-ins, in code and in types", () => {
        const { manifest, entries, dir } = get();
        // A type import of a devDependency would leave an installed app's types unresolved.
        const declared = new Set([manifest.name, ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies })]);
        const problems: string[] = [];
        let checked = 0;
        for (const file of [...entries].filter((e) => e.startsWith("dist/") && /\.(js|d\.ts)$/.test(e))) {
          const folder = file.split("/").slice(0, -1).join("/");
          for (const specifier of specifiers(readFileSync(join(dir, file), "utf8"))) {
            checked++;
            if (specifier.startsWith(".")) {
              const target = join(folder, specifier).replace(/\.js$/, file.endsWith(".d.ts") ? ".d.ts" : ".js");
              if (!entries.has(target)) problems.push(`${file}: ${specifier} (${target} is not in the tarball)`);
            } else if (!isBuiltin(specifier) && !declared.has(packageOf(specifier))) {
              problems.push(`${file}: ${specifier} is not a dependency`);
            } else if (file.endsWith(".d.ts") && !isBuiltin(specifier) && packageOf(specifier) !== manifest.name && !typesInstalledWith(packageOf(specifier), manifest)) {
              problems.push(`${file}: the types of ${specifier} come neither with it nor from an @types dependency`);
            }
          }
        }
        expect(problems).toEqual([]);
        expect(checked, "no import found: the scan is broken").toBeGreaterThan(5);
      });
    });
  }
});

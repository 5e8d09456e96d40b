/**
 * One checkout serves several Node runtimes at once (scripts/native-addons.mjs): every build of
 * better-sqlite3 sits in `lib/binding/node-v<abi>-<platform>-<arch>/`, where `bindings` finds it, and
 * none in `build/Release/`, which `bindings` tries first and where a wrong-ABI file throws instead of
 * falling through. These tests run under whichever Node runs the suite (20 in `pnpm test`, 24 in
 * `pnpm test:node24`), so each runtime proves its own build is the one loaded.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, abiPath, relocateOwnBuilds, resolvedBinding } from "../../scripts/native-addons.mjs";
import { RUNTIMES, exactVersion } from "../../scripts/runtimes.mjs";

const fromServerAuth = createRequire(join(ROOT, "packages", "pico-server-auth", "package.json"));
const moduleDir = dirname(fromServerAuth.resolve("better-sqlite3/package.json"));
const BINARY = "better_sqlite3.node";

describe(`native addons under Node ${process.versions.node} (ABI ${process.versions.modules})`, () => {
  it("better-sqlite3 loads from this ABI's own place, and build/Release holds no build to shadow it", () => {
    expect(existsSync(join(moduleDir, "build", "Release", BINARY)), "a build in build/Release breaks every other runtime: run pnpm install (its postinstall moves it)").toBe(false);
    expect(resolvedBinding()).toBe(abiPath(moduleDir, BINARY, process.versions.modules));
    const Database = fromServerAuth("better-sqlite3") as new (file: string) => { prepare(sql: string): { get(): unknown }; close(): void };
    const db = new Database(":memory:");
    expect(db.prepare("select 40 + 2 as answer").get()).toEqual({ answer: 42 });
    db.close();
  });

  it("argon2 (N-API: the one build from the install serves every runtime) loads and hashes", async () => {
    const argon2 = fromServerAuth("argon2") as { hash(p: string, o: object): Promise<string>; verify(h: string, p: string): Promise<boolean> };
    const hash = await argon2.hash("correct horse", { timeCost: 2, memoryCost: 1024 });
    expect(await argon2.verify(hash, "correct horse")).toBe(true);
    expect(await argon2.verify(hash, "wrong horse")).toBe(false);
  });
});

describe("relocateOwnBuilds", () => {
  let root = "";
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A pnpm virtual-store layout holding one better-sqlite3 with `file` as its build/Release build. */
  function fakeInstall(file: (target: string) => void) {
    root = mkdtempSync(join(tmpdir(), "native-addons-"));
    const dir = join(root, "node_modules", ".pnpm", "better-sqlite3@0.0.0", "node_modules", "better-sqlite3");
    mkdirSync(join(dir, "build", "Release"), { recursive: true });
    copyFileSync(join(moduleDir, "package.json"), join(dir, "package.json"));
    file(join(dir, "build", "Release", BINARY));
    return dir;
  }

  it("renames the install's build (same inode: pnpm may hard-link it from its store) to where bindings finds it", () => {
    const dir = fakeInstall((target) => copyFileSync(abiPath(moduleDir, BINARY, process.versions.modules), target));
    const inode = statSync(join(dir, "build", "Release", BINARY)).ino;
    relocateOwnBuilds(root);
    expect(existsSync(join(dir, "build", "Release", BINARY))).toBe(false);
    const moved = abiPath(dir, BINARY, process.versions.modules);
    expect(statSync(moved).ino).toBe(inode);
    const bindings = createRequire(join(moduleDir, "package.json"))("bindings") as (o: object) => string;
    expect(bindings({ bindings: BINARY, module_root: dir, path: true })).toBe(moved);
    relocateOwnBuilds(root); // nothing left to move: a no-op
    expect(statSync(moved).ino).toBe(inode);
  });

  it("refuses a build that does not load under this Node, naming it, and leaves it in place", () => {
    const dir = fakeInstall((target) => writeFileSync(target, "not an ELF file"));
    expect(() => relocateOwnBuilds(root)).toThrow(/better_sqlite3\.node does not load under Node v\d+.*pnpm rebuild better-sqlite3/s);
    expect(readFileSync(join(dir, "build", "Release", BINARY), "utf8")).toBe("not an ELF file");
  });
});

describe("scripts/runtimes.mjs", () => {
  it("pins one exact version per supported line, each of its own major", () => {
    expect(Object.keys(RUNTIMES).sort()).toEqual(["22", "24", "26"]);
    for (const [major, version] of Object.entries(RUNTIMES)) expect(version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });

  it("reads a pinned major, an exact version (with or without v), and nothing else", () => {
    expect(exactVersion("26")).toBe(RUNTIMES["26"]);
    expect(exactVersion("v24.1.2")).toBe("24.1.2");
    expect(exactVersion("18")).toBeUndefined();
    expect(exactVersion("24.1")).toBeUndefined();
    expect(exactVersion("/usr/bin/node")).toBeUndefined();
  });

  it("every package still declares engines >=20.19 (20 stays supported while it is tested)", () => {
    const manifests = [join(ROOT, "package.json"), ...readdirSync(join(ROOT, "packages")).map((name) => join(ROOT, "packages", name, "package.json"))];
    for (const path of manifests.filter((path) => existsSync(path))) {
      const manifest = JSON.parse(readFileSync(path, "utf8")) as { engines?: { node?: string } };
      expect(manifest.engines?.node, path).toBe(">=20.19");
    }
  });
});

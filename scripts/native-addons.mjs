#!/usr/bin/env node
/**
 * Native addons for more than one Node.js runtime in one checkout, at the same time.
 *
 * better-sqlite3 is compiled against one Node ABI (NODE_MODULE_VERSION). It loads through the
 * `bindings` package, which tries `build/Release/` first and then, among others,
 * `lib/binding/node-v<abi>-<platform>-<arch>/` (node-pre-gyp's layout). A file of the wrong ABI in
 * `build/Release/` does not fall through to the next place: it throws. So every build lives in its
 * ABI-keyed place, the machine's own too, and `build/Release/` holds none:
 *
 * - `relocateOwnBuilds()` moves the build that `pnpm install` made (for the Node running it) there;
 *   run as the root `postinstall` and by node-runtime.mjs.
 * - `buildForRuntime()` compiles a copy of the package's sources against the headers shipped in the
 *   runtime's npm package (`--nodedir`, never a download) and puts the result in its ABI's place.
 *
 * argon2 ships N-API prebuilds (ABI-stable), so it needs nothing here: `verifyRuntime()` checks that
 * it, and better-sqlite3, really load and work under the runtime.
 *
 *   node scripts/native-addons.mjs      # relocate the machine's builds (the postinstall)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Addons compiled per ABI: npm name and the file `bindings` looks for. */
const PER_ABI = [{ name: "better-sqlite3", binary: "better_sqlite3.node", sources: ["package.json", "binding.gyp", "src", "deps"] }];

/** Where `bindings` finds a build for this ABI (its node-pre-gyp entry). */
export function abiPath(moduleDir, binary, abi, platform = process.platform, arch = process.arch) {
  return join(moduleDir, "lib", "binding", `node-v${abi}-${platform}-${arch}`, binary);
}

/** Every installed copy of the per-ABI addons (one per version in pnpm's virtual store). */
function installedAddons(root) {
  const store = join(root, "node_modules", ".pnpm");
  if (!existsSync(store)) return [];
  return PER_ABI.flatMap((addon) =>
    readdirSync(store)
      .filter((entry) => entry.startsWith(`${addon.name}@`))
      .map((entry) => ({ ...addon, dir: join(store, entry, "node_modules", addon.name) }))
      .filter(({ dir }) => existsSync(join(dir, "package.json"))),
  );
}

/**
 * Moves `build/Release/<binary>` (what the install compiled, for the Node running this script) to
 * its ABI-keyed place. Renamed, never rewritten: pnpm may hard-link that file from its store.
 * A build that does not load here is someone else's ABI: stop with a clear message rather than guess.
 */
export function relocateOwnBuilds(root = ROOT) {
  for (const addon of installedAddons(root)) {
    const built = join(addon.dir, "build", "Release", addon.binary);
    if (!existsSync(built)) continue;
    try {
      process.dlopen({ exports: {} }, built);
    } catch (error) {
      throw new Error(`${built} does not load under Node ${process.version} (${error.message}); rebuild it with this Node: pnpm rebuild ${addon.name}`);
    }
    const target = abiPath(addon.dir, addon.binary, process.versions.modules);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(built, target);
  }
}

/** The NODE_MODULE_VERSION of a Node binary. */
export function abiOf(nodeBinary) {
  return execFileSync(nodeBinary, ["-p", "process.versions.modules"], { encoding: "utf8" }).trim();
}

/**
 * Compiles each per-ABI addon for the runtime unpacked in `runtimeDir` (bin/node + include/node),
 * unless its ABI's build is there already. The compile runs in a scratch copy of the sources, so
 * nothing pnpm installed is written to.
 */
export function buildForRuntime(runtimeDir, root = ROOT) {
  const node = join(runtimeDir, "bin", "node");
  const abi = abiOf(node);
  for (const addon of installedAddons(root)) {
    const target = abiPath(addon.dir, addon.binary, abi);
    if (existsSync(target)) continue;
    const scratchRoot = join(root, "node_modules", ".cache", "node-runtime");
    mkdirSync(scratchRoot, { recursive: true });
    const scratch = mkdtempSync(join(scratchRoot, `.build-${addon.name}-`));
    try {
      for (const entry of addon.sources) cpSync(join(addon.dir, entry), join(scratch, entry), { recursive: true });
      process.stderr.write(`native-addons: compiling ${addon.name} for Node ABI ${abi} (${runtimeDir}); a minute or two, once\n`);
      // Run node-gyp under the runtime itself, against its own headers: nothing is downloaded.
      // Its chatter (and the compiler's warnings) is shown only when it fails.
      const gyp = spawnSync(node, [nodeGyp(), "rebuild", "--release", `--nodedir=${runtimeDir}`, "--jobs=2"], {
        cwd: scratch,
        env: { ...process.env, npm_config_nodedir: runtimeDir, PATH: `${join(runtimeDir, "bin")}:${process.env.PATH}` },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      if (gyp.status !== 0) throw new Error(`node-gyp failed for ${addon.name} (exit ${gyp.status ?? gyp.signal}):\n${gyp.stdout}${gyp.stderr}`);
      mkdirSync(dirname(target), { recursive: true });
      // Copied beside the target and renamed into place: a build killed half-way leaves no half file.
      const partial = `${target}.${process.pid}.partial`;
      cpSync(join(scratch, "build", "Release", addon.binary), partial);
      renameSync(partial, target);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/**
 * node-gyp as npm ships it (npm and pnpm point to theirs in npm_config_node_gyp while running
 * install scripts); the machine has npm, the runtimes' packages do not.
 */
function nodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const prefix = execFileSync("npm", ["prefix", "-g"], { encoding: "utf8" }).trim();
  const bundled = join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  if (!existsSync(bundled)) throw new Error(`node-gyp not found (looked at ${bundled}); set npm_config_node_gyp to node-gyp.js`);
  return bundled;
}

/**
 * Loads and uses the workspace's native addons under the given Node binary, resolved from the
 * package that depends on them: a wrong-ABI or missing build fails here, not in the middle of a test.
 */
export function verifyRuntime(nodeBinary, root = ROOT) {
  const from = join(root, "packages", "pico-server-auth", "package.json");
  const check = `
    const req = require("node:module").createRequire(${JSON.stringify(from)});
    const db = new (req("better-sqlite3"))(":memory:");
    db.prepare("select 1 as one").get();
    db.close();
    req("argon2").hash("x", { timeCost: 2, memoryCost: 1024 }).then(() => {}, (error) => { console.error(error); process.exit(1); });`;
  execFileSync(nodeBinary, ["-e", check], { stdio: ["ignore", "ignore", "inherit"] });
}

/** The path `bindings` will load better-sqlite3 from under the running Node (for tests). */
export function resolvedBinding(root = ROOT) {
  const from = createRequire(join(root, "packages", "pico-server-auth", "package.json"));
  const dir = dirname(from.resolve("better-sqlite3/package.json"));
  const bindings = createRequire(join(dir, "package.json"))("bindings");
  return bindings({ bindings: "better_sqlite3.node", module_root: dir, path: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) relocateOwnBuilds();

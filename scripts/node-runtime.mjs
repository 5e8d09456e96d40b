#!/usr/bin/env node
/**
 * Prints the path of a Node.js binary of the given exact version, fetched once from the npm registry
 * (the official builds, published as `node-<platform>-<arch>`) into node_modules/.cache/node-runtime/.
 * Idempotent: a cached binary is used without any network access.
 *
 *   "$(node scripts/node-runtime.mjs 24.22.3)" --version
 *
 * For the tests that need a newer runtime than the workspace's Node 20 (WebCrypto ML-DSA, Node >=
 * 24.7): see `pnpm test:interop:node24`. Such a runtime must not load the workspace's native addons
 * (built for Node 20).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const version = process.argv[2] ?? "";
if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`expected an exact Node.js version such as 24.22.3, got ${JSON.stringify(version)}`);
if (process.platform !== "linux" && process.platform !== "darwin") fail(`no npm build of Node.js for ${process.platform} is known here (linux and darwin only)`);

const pkg = `node-${process.platform}-${process.arch}`;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache = join(root, "node_modules", ".cache", "node-runtime");
const target = join(cache, `${pkg}-${version}`);
const binary = join(target, "bin", "node");

if (!existsSync(binary)) {
  mkdirSync(cache, { recursive: true });
  // Unpacked beside the target, then renamed into place: a run killed half-way leaves no half binary.
  const work = mkdtempSync(join(cache, ".download-"));
  try {
    execFileSync("npm", ["pack", `${pkg}@${version}`, "--pack-destination", work, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    if (!tarball) fail(`npm pack ${pkg}@${version} left no tarball`);
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", work, "package/bin/node", "package/LICENSE"]);
    const reported = execFileSync(join(work, "package", "bin", "node"), ["--version"], { encoding: "utf8" }).trim();
    if (reported !== `v${version}`) fail(`${pkg}@${version} reports ${reported}`);
    try {
      renameSync(join(work, "package"), target);
    } catch (error) {
      // Another run put it there meanwhile: theirs is as good.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
process.stdout.write(`${binary}\n`);

function fail(message) {
  process.stderr.write(`node-runtime: ${message}\n`);
  process.exit(1);
}

#!/usr/bin/env node
/**
 * Prints the path of a Node.js binary ready to run this workspace: the given version (a major pinned
 * in scripts/runtimes.mjs, or an exact version), fetched once from the npm registry (the official
 * builds, published as `node-<platform>-<arch>`, with their C headers) into
 * node_modules/.cache/node-runtime/, and the workspace's native addons built for it beside the
 * machine's own build (scripts/native-addons.mjs), so both run from one checkout at the same time.
 * Idempotent: once done, no network access and no compiling.
 *
 *   "$(node scripts/node-runtime.mjs 24)" --version
 *
 * The machine's own version (or major) prints the running Node itself.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, buildForRuntime, relocateOwnBuilds, verifyRuntime } from "./native-addons.mjs";
import { RUNTIMES, exactVersion } from "./runtimes.mjs";

const wanted = process.argv[2] ?? "";
const own = wanted === process.versions.node || wanted === process.versions.node.split(".")[0];
const version = own ? process.versions.node : exactVersion(wanted);
if (!version) fail(`expected a major pinned in scripts/runtimes.mjs (${Object.keys(RUNTIMES).join(", ")}) or an exact Node.js version such as 24.22.3, got ${JSON.stringify(wanted)}`);
// The machine's build must leave build/Release before any other runtime looks there (see native-addons.mjs).
relocateOwnBuilds();
if (own) {
  process.stdout.write(`${process.execPath}\n`);
  process.exit(0);
}
if (process.platform !== "linux" && process.platform !== "darwin") fail(`no npm build of Node.js for ${process.platform} is known here (linux and darwin only)`);

const pkg = `node-${process.platform}-${process.arch}`;
const cache = join(ROOT, "node_modules", ".cache", "node-runtime");
const target = join(cache, `${pkg}-${version}`);
const binary = join(target, "bin", "node");
const headers = join(target, "include", "node", "node.h");

if (!existsSync(binary) || !existsSync(headers)) {
  // A cache from before the headers were kept (binary only): fetched again, whole.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  // Unpacked beside the target, then renamed into place: a run killed half-way leaves no half binary.
  const work = mkdtempSync(join(cache, ".download-"));
  try {
    execFileSync("npm", ["pack", `${pkg}@${version}`, "--pack-destination", work, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    if (!tarball) fail(`npm pack ${pkg}@${version} left no tarball`);
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", work, "package/bin/node", "package/LICENSE", "package/include/node"]);
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
buildForRuntime(target);
verifyRuntime(binary);
process.stdout.write(`${binary}\n`);

function fail(message) {
  process.stderr.write(`node-runtime: ${message}\n`);
  process.exit(1);
}

#!/usr/bin/env node
/**
 * The smoke run on a runtime that CI does not give the whole suite (Node 26; 22 by hand):
 *
 *   node scripts/smoke.mjs 26
 *
 * 1. the build (`tsc -b`), launched by that runtime; what is runtime-specific, the native addons, is
 *    built for it by scripts/node-runtime.mjs before anything runs;
 * 2. the unit tests of the packages every app loads (pico-ioc, pico-hono, pico-client-auth), and the
 *    runtime checks of test/runtimes/ (the addons load from their ABI's place);
 * 3. the seed scenario end to end: examples/embed-in-app's e2e test starts `node dist/main.js`
 *    (the runtime's node, first in PATH) and signs in with a wallet, logs in as the admin and calls
 *    the protected routes; its seed test checks every row of the user guide in-process;
 * 4. an app of one's own: create-pico-app's end-to-end test installs the packed packages with npm
 *    under this runtime (better-sqlite3 compiled against its headers), builds the app with tsc, runs
 *    its own tests and the seed scenario against it.
 * pico-server-auth and pico-boot run through the seed scenario; their own files, like the rest of
 * the suite, run on Node 20 and 24.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SMOKE_FILES = [
  "packages/pico-ioc/test",
  "packages/pico-hono/test",
  "packages/pico-client-auth/test",
  "test/runtimes",
  "examples/embed-in-app/test/e2e.test.ts",
  "examples/embed-in-app/test/seed.test.ts",
  // An app of one's own built on this runtime: the packed packages installed with npm (better-sqlite3
  // compiled against this runtime's headers), compiled with tsc, its own tests, the seed scenario.
  "packages/create-pico-app/test/e2e.test.ts",
];

const wanted = process.argv[2];
if (!wanted) {
  process.stderr.write("usage: node scripts/smoke.mjs <major|exact version>\n");
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const onNode = join(root, "scripts", "on-node.mjs");
const bin = (name) => join(root, "node_modules", ".bin", name);
for (const command of [[bin("tsc"), "-b", "tsconfig.build.json"], [bin("vitest"), "run", ...SMOKE_FILES]]) {
  const { status, signal } = spawnSync(process.execPath, [onNode, wanted, ...command], { cwd: root, stdio: "inherit" });
  if (status !== 0) process.exit(status ?? (signal ? 128 : 1));
}

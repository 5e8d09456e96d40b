#!/usr/bin/env node
/**
 * Runs a command with another Node.js runtime first in PATH, so that everything it starts with
 * `node` (vitest, the servers the tests spawn with process.execPath or `node`, the documented shell
 * commands of the docs checks, npm's and pnpm's shims) runs on that runtime, with the workspace's
 * native addons built for it (scripts/node-runtime.mjs).
 *
 *   node scripts/on-node.mjs 24 vitest run packages/pico-ioc
 */
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [wanted, command, ...args] = process.argv.slice(2);
if (!wanted || !command) {
  process.stderr.write("usage: node scripts/on-node.mjs <major|exact version> <command> [args...]\n");
  process.exit(2);
}
const script = join(dirname(fileURLToPath(import.meta.url)), "node-runtime.mjs");
const node = execFileSync(process.execPath, [script, wanted], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ""}` };
// npm and pnpm tell child scripts which node ran them: it must be this one, not the machine's.
env.NODE = node;
env.npm_node_execpath = node;
const child = spawn(command, args, { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));

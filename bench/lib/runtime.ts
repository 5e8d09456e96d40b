/**
 * `--node=<major|exact|/path/to/node>` (or `PICO_BENCH_NODE`): the Node.js that runs the servers.
 * The harness re-runs itself under that binary, so that the servers (spawned with
 * `process.execPath`), autocannon and the sign-in crypto bound (measured in the harness process)
 * all use one runtime: a bound measured on another runtime's OpenSSL would not be this one's.
 * Versions are resolved by `scripts/node-runtime.mjs` (a binary ready to run this workspace, cached).
 */
import { execFileSync, spawn } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { join } from "node:path";
import { HarnessError } from "./proc.js";

/** The requested runtime: the flag wins over the environment; undefined when neither is set. */
export function requestedRuntime(args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const flag = args.find((a) => a.startsWith("--node="))?.slice("--node=".length);
  const value = (flag ?? env.PICO_BENCH_NODE)?.trim();
  if (value === "") throw new HarnessError("--node= / PICO_BENCH_NODE is empty: give a major (24), an exact version (24.22.3) or a path to a node binary");
  return value;
}

/**
 * What a value names: this process's own runtime (same major or exact version: no download), a
 * version for node-runtime.mjs, or a binary path.
 */
export function runtimeKind(value: string, current = process.versions.node): { kind: "self" } | { kind: "version"; version: string } | { kind: "path"; path: string } {
  if (value.includes("/")) return { kind: "path", path: value };
  const version = value.replace(/^v/, "");
  if (!/^\d+(\.\d+\.\d+)?$/.test(version)) throw new HarnessError(`--node=${value}: expected a major (24), an exact version (24.22.3) or a path to a node binary`);
  if (version === current || version === current.split(".")[0]) return { kind: "self" };
  return { kind: "version", version };
}

/** The binary's path for a value (see runtimeKind); fetches a version through scripts/node-runtime.mjs. */
export function resolveRuntime(repo: string, value: string): string {
  const k = runtimeKind(value);
  if (k.kind === "self") return process.execPath;
  if (k.kind === "path") {
    try {
      accessSync(k.path, constants.X_OK);
    } catch {
      throw new HarnessError(`--node=${value}: not an executable file`);
    }
    return k.path;
  }
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(repo, "scripts/node-runtime.mjs"), k.version], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  } catch {
    throw new HarnessError(`--node=${value}: scripts/node-runtime.mjs could not provide Node ${k.version} (its message is above)`);
  }
  const path = out.trim().split("\n").at(-1) ?? "";
  if (!path) throw new HarnessError(`--node=${value}: scripts/node-runtime.mjs printed no path`);
  return path;
}

export function sameBinary(a: string, b: string): boolean {
  return realpathSync(a) === realpathSync(b);
}

/** Runs this harness again under `node` with the same arguments; resolves with its exit code. */
export function rerunUnder(node: string, script: string, args: readonly string[]): Promise<number> {
  let version: string;
  try {
    version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new HarnessError(`${node} --version failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stderr.write(`[bench] running the harness and every server under Node ${version} (${node})\n`);
  const child = spawn(node, [script, ...args], { stdio: "inherit", env: { ...process.env, PICO_BENCH_NODE: node } });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1))));
}

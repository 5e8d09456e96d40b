import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { get } from "node:http";

/** A node program started by a test: its output so far, and a way to wait for a line of it. */
export interface RunningProgram {
  readonly child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output; rejects (with the output) after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `node script` with `env` over this process's environment (`undefined` values remove a
 * variable); `detached`: in a process group of its own, as a terminal or systemd runs a service.
 */
export function runProgram(script: string, env: NodeJS.ProcessEnv, options: { cwd?: string; detached?: boolean } = {}): RunningProgram {
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, [script], { cwd: options.cwd, detached: options.detached, env: merged, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** GET over a connection of its own (no keep-alive): the cluster hands each connection to a worker in turn. */
export function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as T }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

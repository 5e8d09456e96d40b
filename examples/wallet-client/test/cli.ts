import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout split by "== <algorithm> ==" headings. */
  sections: Record<string, string>;
}

/** Runs the built CLI (dist/, as `pnpm start` would) as a child process and collects its output. */
export function runCli(args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, sections: sectionsOf(stdout) }));
  });
}

function sectionsOf(stdout: string): Record<string, string> {
  const parts = stdout.split(/^== (.+) ==$/m);
  const sections: Record<string, string> = {};
  for (let i = 1; i < parts.length; i += 2) sections[parts[i] as string] = parts[i + 1] ?? "";
  return sections;
}

/** The value printed after `name:` in a section, e.g. line(section, "address"). */
export function line(section: string | undefined, name: string): string | undefined {
  return new RegExp(`^ {2}${name}: +(.*)$`, "m").exec(section ?? "")?.[1];
}

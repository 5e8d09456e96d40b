import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { ALGORITHMS } from "../src/keys.js";

export const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout split by "== <algorithm> ==" headings. */
  sections: Record<string, string>;
}

/** Runs the built CLI (dist/, as `pnpm start` would) as a child process and collects its output. Throws if it is not built. */
export function runCli(args: string[]): Promise<CliRun> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run "pnpm build" first (pnpm test does)`);
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

/** A new, empty directory for a run's keys (the CLI creates the nested "keys" folder itself). */
export function freshKeysDir(): string {
  return join(mkdtempSync(join(tmpdir(), "wallet-client-")), "keys");
}

/**
 * Runs the CLI (`args` select the servers; new keys unless `keysDir` holds some) and checks that
 * every algorithm signed in and read its own profile, `{"subject": <its address>, "role": "wallet"}`,
 * with three different addresses. The embed-in-app and standalone end-to-end tests use it too.
 */
export async function expectAllWalletsSignIn(args: string[], keysDir = freshKeysDir()): Promise<{ run: CliRun; addresses: string[] }> {
  const run = await runCli([...args, "--keys-dir", keysDir]);
  expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
  expect(run.stderr).toBe("");
  const addresses = ALGORITHMS.map((algorithm) => {
    const section = run.sections[algorithm];
    const address = line(section, "address") ?? "";
    expect(address, run.stdout).toMatch(/^0x[0-9a-f]{40}$/);
    expect(JSON.parse(line(section, "profile") ?? "null"), run.stdout).toEqual({ subject: address, role: "wallet" });
    return address;
  });
  expect(new Set(addresses).size).toBe(ALGORITHMS.length);
  expect(run.stdout).toContain(`all ${ALGORITHMS.length} wallets signed in`);
  return { run, addresses };
}

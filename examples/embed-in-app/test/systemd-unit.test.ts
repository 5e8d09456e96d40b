import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const unit = fileURLToPath(new URL("../../../docs/examples/pico-app.service", import.meta.url));
const run = promisify(execFile);

/** `systemd-analyze verify` on a unit file: its exit code and what it printed (warnings go to stderr, with exit code 0). */
async function verify(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run("systemd-analyze", ["verify", file]);
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("docs/examples/pico-app.service, the production guide's systemd unit", () => {
  it("systemd-analyze verify accepts it without a single warning", async () => {
    expect(await verify(unit)).toEqual({ code: 0, output: "" });
  });

  it("the check is not blind: a misspelt key and a missing command are reported", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pico-unit-"));
    try {
      const text = await readFile(unit, "utf8");
      const typo = join(dir, "typo.service");
      await writeFile(typo, text.replace("Restart=on-failure", "Restrat=on-failure"));
      expect((await verify(typo)).output).toContain("Unknown key 'Restrat' in section [Service]");
      const missing = join(dir, "missing.service");
      await writeFile(missing, text.replace("ExecStart=/usr/bin/env node", "ExecStart=/nonexistent/node"));
      expect(await verify(missing)).toMatchObject({ code: 1, output: expect.stringContaining("/nonexistent/node is not executable") });
      // The file itself, copied elsewhere, still passes: the name and place are not what is checked.
      await copyFile(unit, join(dir, "pico-app.service"));
      expect((await verify(join(dir, "pico-app.service"))).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

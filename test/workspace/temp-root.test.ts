import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

// vitest.config.ts's global setup (test-support/temp-root.ts) gives the run one temp folder of its own.
describe("the test run's temp dir", () => {
  it("is a folder of this run, for the tests and for the processes they spawn", () => {
    expect(basename(tmpdir())).toMatch(/^pico-test-run-/);
    const made = mkdtempSync(join(tmpdir(), "probe-"));
    expect(dirname(made)).toBe(tmpdir());
    const childs = execFileSync(process.execPath, ["-p", "require('node:os').tmpdir()"], { encoding: "utf8" }).trim();
    expect(childs).toBe(tmpdir());
  });
});

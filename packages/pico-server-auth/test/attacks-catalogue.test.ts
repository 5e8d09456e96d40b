import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const catalogue = readFileSync(`${repo}docs/security.md`, "utf8");

/** Every table row's last cell: `[name](../packages/.../x.test.ts) "test name"` (or ../examples/...). */
const rows = catalogue
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| attack |"))
  .map((line) => {
    const cell = line.split(" | ").at(-1) ?? "";
    const match = /\]\(\.\.\/((?:packages|examples)\/[^)]+\.test\.ts)\) "([^"]+)" \|$/.exec(cell);
    return { line, file: match?.[1], name: match?.[2] };
  });

describe("docs/security.md, the attack catalogue", () => {
  it("has a row for each attack, and each row names a test file and a test in it", () => {
    expect(rows.length).toBeGreaterThanOrEqual(45);
    for (const { line, file, name } of rows) {
      expect(file, line).toBeDefined();
      expect(existsSync(`${repo}${file}`), file).toBe(true);
      // The exact test name, as the first argument of it() (or of it.skipIf(...)(), for the browser
      // tests, which CI never skips): no row points at a test that is not there.
      const source = readFileSync(`${repo}${file}`, "utf8");
      const declared = source.includes(`it("${name}"`) || new RegExp(`\\bit\\.skipIf\\([^)]*\\)\\(${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(source);
      expect(declared, `${file}: ${name}`).toBe(true);
    }
  });
});

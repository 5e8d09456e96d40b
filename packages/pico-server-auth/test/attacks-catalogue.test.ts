import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const catalogue = readFileSync(`${repo}docs/security.md`, "utf8");

/** Every table row's last cell: `[name](../packages/.../x.test.ts) "test name"`. */
const rows = catalogue
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| attack |"))
  .map((line) => {
    const cell = line.split(" | ").at(-1) ?? "";
    const match = /\]\(\.\.\/(packages\/[^)]+\.test\.ts)\) "([^"]+)" \|$/.exec(cell);
    return { line, file: match?.[1], name: match?.[2] };
  });

describe("docs/security.md, the attack catalogue", () => {
  it("has a row for each attack, and each row names a test file and a test in it", () => {
    expect(rows.length).toBeGreaterThanOrEqual(45);
    for (const { line, file, name } of rows) {
      expect(file, line).toBeDefined();
      expect(existsSync(`${repo}${file}`), file).toBe(true);
      // The exact test name, as the first argument of it(): no row points at a test that is not there.
      expect(readFileSync(`${repo}${file}`, "utf8"), `${file}: ${name}`).toContain(`it("${name}"`);
    }
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Why a `doc:excerpt` block does not stand in its file, or undefined when it does. */
export function excerptProblem(repo: string, path: string, text: string): string | undefined {
  const file = join(repo, path);
  if (!existsSync(file)) return `doc:excerpt ${path}: no such file`;
  const wanted = dedent(text.split("\n"));
  const lines = readFileSync(file, "utf8").split("\n");
  for (let start = 0; start + wanted.length <= lines.length; start++) {
    const window = dedent(lines.slice(start, start + wanted.length));
    if (window.every((line, i) => line === wanted[i])) return undefined;
  }
  const first = wanted.find((line) => line.trim()) ?? "";
  const near = lines.findIndex((line) => line.trim() === first.trim());
  return `doc:excerpt ${path}: the block's ${wanted.length} lines do not stand there in order` + (near >= 0 ? ` (its first line is at line ${near + 1}; the text differs after it)` : ` (not even its first line "${first.trim()}")`);
}

/** Lines without trailing white space and without the indentation they all share. */
function dedent(lines: string[]): string[] {
  const trimmed = lines.map((line) => line.trimEnd());
  const indent = Math.min(...trimmed.filter(Boolean).map((line) => /^ */.exec(line)?.[0].length ?? 0));
  return trimmed.map((line) => line.slice(Number.isFinite(indent) ? indent : 0));
}

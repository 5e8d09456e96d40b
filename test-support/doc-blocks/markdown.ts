/** What a Markdown code block is for, as its annotation says (see README.md beside this file). */
export const BLOCK_KINDS = ["run", "file", "excerpt", "ci", "output", "fragment"] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

export interface CodeBlock {
  /** 1-based line of the opening fence (or of the hidden block's comment). */
  readonly line: number;
  /** As written after `doc:`; undefined when the line above the fence is no annotation. */
  readonly kind: string | undefined;
  /** The annotation's argument: a path for `file` and `excerpt`. */
  readonly arg: string;
  readonly text: string;
  /** Written as an HTML comment: checked, never rendered. */
  readonly hidden: boolean;
}

const FENCE = /^(\s*)(`{3,}|~{3,})/;
// Indented too: a block inside a list item has its annotation at the item's indentation.
const ANNOTATION = /^\s*<!--\s*doc:(\S+)\s*(.*?)\s*-->\s*$/;
const HIDDEN_START = /^<!--\s*doc:(run|file)\b\s*(.*?)\s*$/;

/** Every fenced block of a page with the annotation on the line above it, and every hidden block. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const hidden = HIDDEN_START.exec(line);
    if (hidden && !line.includes("-->")) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === "-->");
      if (end < 0) throw new Error(`line ${i + 1}: hidden block "${line}" has no closing "-->" line`);
      blocks.push({ line: i + 1, kind: hidden[1], arg: hidden[2] ?? "", text: lines.slice(i + 1, end).join("\n"), hidden: true });
      i = end;
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) continue;
    const marker = fence[2] as string;
    const end = lines.findIndex((l, j) => j > i && l.trim().startsWith(marker) && l.trim().replace(/[`~]/g, "") === "");
    if (end < 0) throw new Error(`line ${i + 1}: code block has no closing ${marker}`);
    const annotation = ANNOTATION.exec(lines[i - 1] ?? "");
    blocks.push({ line: i + 1, kind: annotation?.[1], arg: annotation?.[2] ?? "", text: lines.slice(i + 1, end).join("\n"), hidden: false });
    i = end;
  }
  return blocks;
}

/** The problem with a block's annotation, or undefined when it is well formed. */
export function annotationProblem(block: CodeBlock): string | undefined {
  const kinds = BLOCK_KINDS.map((k) => `<!-- doc:${k} -->`).join(", ");
  if (!block.kind) return `code block at line ${block.line} has no annotation: put one of ${kinds} on the line above it`;
  if (!(BLOCK_KINDS as readonly string[]).includes(block.kind)) return `code block at line ${block.line}: unknown annotation doc:${block.kind}; expected one of ${kinds}`;
  const needsPath = block.kind === "file" || block.kind === "excerpt";
  if (needsPath && !block.arg) return `code block at line ${block.line}: doc:${block.kind} needs a path`;
  if (!needsPath && block.arg) return `code block at line ${block.line}: doc:${block.kind} takes no argument, got "${block.arg}"`;
  return undefined;
}

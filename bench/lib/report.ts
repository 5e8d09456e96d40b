/** Markdown output. */

export type Align = "l" | "r";

export function table(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const sep = headers.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : "---"));
  return [headers, sep, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

export function ms(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

export function ratio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a";
}

export function pct(n: number): string {
  return Number.isFinite(n) ? `${Math.round(n * 100)}%` : "n/a";
}

export function mib(kib: number): string {
  return Number.isFinite(kib) ? (kib / 1024).toFixed(1) : "n/a";
}

export function verdict(ok: boolean): string {
  return ok ? "pass" : "**miss**";
}

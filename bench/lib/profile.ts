/** Top functions by self time in a V8 .cpuprofile (what `node --cpu-prof` writes). */
import { readFileSync } from "node:fs";
import { table } from "./report.js";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a function lives: a workspace package, an npm package, a part of Node, or the VM itself. */
function categoryOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "native (syscalls, C++)";
  if (/node:(internal\/)?async_hooks/.test(url) || url.includes("async_local_storage")) return "node: async_hooks (AsyncLocalStorage)";
  if (url.startsWith("node:")) return `node: ${url.replace(/^node:(internal\/)?/, "").split("/")[0]}`;
  const pnpm = /node_modules\/\.pnpm\/(@[^+]+\+[^@]+|[^@/]+)@/.exec(url);
  if (pnpm?.[1]) return pnpm[1].replace("+", "/");
  const workspace = /\/(packages|examples)\/([^/]+)\//.exec(url);
  if (workspace?.[2]) return workspace[2];
  return url.replace(/^file:\/\//, "");
}

export function topSelfTime(file: string, limit = 20, root = ""): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, "").replace(root, "")}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    if (functionName !== "(idle)") byCategory.set(categoryOf(url, functionName), (byCategory.get(categoryOf(url, functionName)) ?? 0) + dt);
    total += dt;
  });
  // Share of the time the process was busy: idle time depends on how long it waited between runs.
  const busy = total - (self.get("(idle)") ?? 0);
  self.delete("(idle)");
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, us]) => [`\`${key.replace(/\|/g, "\\|")}\``, (us / 1000).toFixed(0), `${((100 * us) / busy).toFixed(1)}%`]);
  const categories = [...byCategory.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, us]) => [name, (us / 1000).toFixed(0), `${((100 * us) / busy).toFixed(1)}%`]);
  return [
    `Busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s profiled.`,
    "",
    table(["self time by where the code lives", "ms", "share of busy"], categories),
    "",
    table(["function (self time)", "ms", "share of busy"], rows),
  ].join("\n");
}

// `node bench/dist/lib/profile.js FILE [LIMIT]` prints the table.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  console.log(topSelfTime(process.argv[2] as string, Number(process.argv[3] ?? 25)));
}

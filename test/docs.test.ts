import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_PORT, DEFAULT_AUTH_PORT } from "../examples/standalone/src/config.js";
import { DEFAULT_PORT } from "../packages/pico-boot/src/options.js";
import { docCommands } from "../test-support/doc-blocks/commands.js";
import { excerptProblem } from "../test-support/doc-blocks/excerpt.js";
import { annotationProblem, codeBlocks } from "../test-support/doc-blocks/markdown.js";
import { describePorts, documentedPorts, holdPorts, standInPorts, withStandIns } from "../test-support/doc-blocks/ports.js";
import { runPage } from "../test-support/doc-blocks/run-page.js";
import { scratchCopy } from "../test-support/doc-blocks/scratch.js";

// Every code block of the user-facing Markdown is run or checked: see test-support/doc-blocks/README.md.
const repo = fileURLToPath(new URL("..", import.meta.url));
const artifacts = join(repo, "test-artifacts", "docs");
const pages = [
  "README.md",
  ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ...readdirSync(join(repo, "examples")).map((e) => `examples/${e}/README.md`).filter((p) => existsSync(join(repo, p))),
];
const PAGE_TIMEOUT_MS = 180_000;
// The pages call curl. Without it (a Node-only machine) their runs are skipped and reported as such;
// in CI (CI=true) .ci/run installs curl, and a missing one fails, as with the browser tests.
const canRun = spawnSync("curl", ["--version"]).status === 0 || Boolean(process.env.CI);
// The variables the pages' servers take their ports from when a command sets none, with the ports they
// default to. A page runs with each set to the stand-in of its default (see test-support/doc-blocks/ports.ts).
const PORT_VARIABLES = { PORT: DEFAULT_PORT, AUTH_PORT: DEFAULT_AUTH_PORT, API_PORT: DEFAULT_API_PORT };
// Every documented port of every page, held by this test while the pages run on their stand-ins:
// the pages pass while the app runs on 8100, and one that reached a documented port would fail.
const documented = new Set<number>();
let releasePorts: (() => Promise<void>) | undefined;

beforeAll(async () => {
  rmSync(artifacts, { recursive: true, force: true });
  if (canRun) releasePorts = await holdPorts([...documented]);
});
afterAll(() => releasePorts?.());

describe.each(pages)("%s", (page) => {
  const blocks = codeBlocks(readFileSync(join(repo, page), "utf8"));
  const slug = page.replace(/\.md$/, "").replace(/[^\w-]+/g, "_");

  it("has an annotation on every code block", () => {
    expect(blocks.map(annotationProblem).filter(Boolean)).toEqual([]);
  });

  const excerpts = blocks.filter((b) => b.kind === "excerpt" || b.kind === "ci");
  if (excerpts.length > 0) it("quotes only what stands in the files it names", () => {
    const problems = excerpts.map((b) => (b.kind === "ci" ? excerptProblem(repo, ".ci/run", b.text) : excerptProblem(repo, b.arg, b.text)));
    expect(problems.filter(Boolean)).toEqual([]);
  });

  const runs = blocks.filter((b) => b.kind === "run");
  const pagePorts = documentedPorts(runs.flatMap((b) => docCommands(b.text, b.line + 1)), Object.values(PORT_VARIABLES));
  for (const port of pagePorts) documented.add(port);
  if (runs.length > 0) it.skipIf(!canRun)("runs as written, on free ports in place of the ones it shows", { timeout: PAGE_TIMEOUT_MS + 15_000 }, async () => {
    const ports = await standInPorts(pagePorts);
    const files = blocks.filter((b) => b.kind === "file").map((b) => ({ path: b.arg, text: withStandIns(b.text, ports) }));
    const cwd = files.length > 0 ? join(artifacts, "scratch", slug) : repo;
    if (files.length > 0) scratchCopy(repo, cwd, files);
    const commands = runs.flatMap((b) => docCommands(withStandIns(b.text, ports), b.line + 1));
    const env = Object.fromEntries(Object.entries(PORT_VARIABLES).map(([name, port]) => [name, String(ports.get(port))]));
    const run = await runPage(commands, cwd, repo, join(artifacts, "runs", slug), PAGE_TIMEOUT_MS, env);
    expect(run.failures, `ports ${describePorts(ports)}\n${run.output.slice(-6000)}`).toEqual([]);
  });
});

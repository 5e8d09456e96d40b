import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The compiled module, run in a child process of this runtime: enabling the cache is process-wide,
// and the test runner's own process must not get one.
const built = pathToFileURL(join(import.meta.dirname, "../dist/compile-cache.js")).href;
const supported = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";
const work = mkdtempSync(join(tmpdir(), "pico-compile-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs an entry that enables the cache, then imports a module of its own; returns what enableCompileCache said. */
function runEntry(env: Record<string, string>): { status: string; directory?: string; message?: string } {
  const dir = mkdtempSync(join(work, "app-"));
  writeFileSync(join(dir, "lib.mjs"), "export const answer = 42;\n");
  writeFileSync(
    join(dir, "main.mjs"),
    `import { enableCompileCache, flushCompileCache } from ${JSON.stringify(built)};\n` +
      "const result = enableCompileCache();\n" +
      'const { answer } = await import("./lib.mjs");\n' +
      "flushCompileCache();\n" +
      "process.stdout.write(JSON.stringify({ ...result, answer }));\n",
  );
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("NODE_COMPILE_CACHE") && key !== "NODE_DISABLE_COMPILE_CACHE" && key !== "NODE_OPTIONS"));
  const out = JSON.parse(execFileSync(process.execPath, [join(dir, "main.mjs")], { env: { ...clean, ...env }, encoding: "utf8" })) as { status: string; answer: number };
  expect(out.answer).toBe(42); // the program runs whatever happened to the cache
  return out;
}

const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }) : []);

describe("enableCompileCache", () => {
  it(`defaults to Node's own place, <temp dir>/node-compile-cache, and fills it (${supported ? "this runtime has the API" : "unsupported on this runtime: nothing written"})`, () => {
    const temp = mkdtempSync(join(work, "tmp-"));
    const result = runEntry({ TMPDIR: temp });
    if (!supported) {
      expect(result.status).toBe("unsupported");
      expect(filesUnder(temp)).toEqual([]);
      return;
    }
    expect(result.status).toBe("enabled");
    expect(result.directory?.startsWith(join(temp, "node-compile-cache"))).toBe(true);
    expect(filesUnder(join(temp, "node-compile-cache")).length).toBeGreaterThan(0);
  });

  it("uses NODE_COMPILE_CACHE when it is set", () => {
    const temp = mkdtempSync(join(work, "tmp-"));
    const chosen = join(work, "chosen-cache");
    const result = runEntry({ TMPDIR: temp, NODE_COMPILE_CACHE: chosen });
    if (!supported) {
      expect(result.status).toBe("unsupported");
      return;
    }
    // Node enabled it from the variable at start; the call then finds it on.
    expect(["enabled", "already-enabled"]).toContain(result.status);
    expect(filesUnder(chosen).length).toBeGreaterThan(0);
    expect(filesUnder(join(temp, "node-compile-cache"))).toEqual([]);
  });

  it("NODE_DISABLE_COMPILE_CACHE=1 turns it off: nothing is written", () => {
    const temp = mkdtempSync(join(work, "tmp-"));
    const result = runEntry({ TMPDIR: temp, NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(result.status).toBe(supported ? "disabled" : "unsupported");
    expect(filesUnder(temp)).toEqual([]);
  });

  it("a cache directory that cannot be made is a failure reported, not thrown", () => {
    const notADirectory = join(work, "a-file");
    writeFileSync(notADirectory, "");
    const result = runEntry({ TMPDIR: notADirectory });
    if (!supported) return expect(result.status).toBe("unsupported");
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/directory/i);
  });
});

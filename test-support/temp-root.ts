import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest global setup: one temp folder for the whole run, removed when it ends. Many tests make data
 * dirs, keys and scratch apps under `os.tmpdir()` and not all of them remove what they made (a
 * server killed mid-test, a folder handed to a child process). Setting TMPDIR here, before the test
 * workers start, puts all of it (the workers', and every process they spawn, which inherit it)
 * under this folder, so a run leaves nothing behind in the system temp dir.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), "pico-test-run-"));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // A process a test left running may still write there: whatever cannot go now is reported, not fatal.
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      process.stderr.write(`temp-root: could not remove ${root}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
}

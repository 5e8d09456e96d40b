import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED_DB_FILE, openSqliteFastState } from "../src/state/sqlite/index.js";
import type { ServerAuthSettings } from "../src/settings.js";

const run = promisify(execFile);
const worker = fileURLToPath(new URL("./fixtures/shared-db-worker.mjs", import.meta.url));
// The workers run the built package: each source they use must not be newer than its own output (tsc -b
// rewrites only the outputs of the sources that changed, so each pair is compared, not one output with all).
const builtPairs = ["sqlite-rate-limit-store", "sqlite-challenge-store", "shared-db"].map((f) => ({
  source: fileURLToPath(new URL(`../src/state/sqlite/${f}.ts`, import.meta.url)),
  built: fileURLToPath(new URL(`../dist/state/sqlite/${f}.js`, import.meta.url)),
}));
const PROCESSES = 4;
const HITS = 50;

describe("shared.db under several real processes (the workers of one machine)", () => {
  const root = mkdtempSync(join(tmpdir(), "pico-shared-db-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    for (const { source, built } of builtPairs) {
      if (!existsSync(built)) throw new Error(`expected the built package at ${built} (the workers run it in plain Node), found nothing; run "pnpm build" first`);
      if (statSync(built).mtimeMs < statSync(source).mtimeMs) throw new Error(`${built} is older than ${source}: run "pnpm build" so the workers run the current code`);
    }
  });

  it("4 processes × 50 concurrent hits on one counter are all counted, each count once; of 10 consumes each, one process gets the challenge once", { timeout: 30_000 }, async () => {
    const path = join(root, SHARED_DB_FILE);
    const state = openSqliteFastState({ challengeTtlSeconds: 60, maxChallenges: 1000, dataDir: root } as ServerAuthSettings, path);
    const { challenge } = await state.challenges.create({ address: "0xrace", compose: (c) => c });
    const startAt = String(Date.now() + 1500);
    const outputs = await Promise.all(Array.from({ length: PROCESSES }, () => run(process.execPath, [worker, path, startAt, String(HITS), "0xrace", challenge])));
    const results = outputs.map(({ stdout }) => JSON.parse(stdout) as { counts: number[]; won: number });
    const counts = results.flatMap((r) => r.counts).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: PROCESSES * HITS }, (_, i) => i + 1));
    expect(results.map((r) => r.won).reduce((x, y) => x + y)).toBe(1);
    expect((await state.counters.peek("race:counter"))?.count).toBe(PROCESSES * HITS);
    await state.close();
  });
});

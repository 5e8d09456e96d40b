import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";

const writer = fileURLToPath(new URL("./fixtures/store-writer.mjs", import.meta.url));
const built = fileURLToPath(new URL("../dist/store/sqlite-store.js", import.meta.url));
const source = fileURLToPath(new URL("../src/store/sqlite-store.ts", import.meta.url));
/** Kill once this many writes were acknowledged: a few hundred commits, so the kill lands mid-burst. */
const ACKNOWLEDGED_BEFORE_KILL = 300;

type Ack = { readonly kind: string; readonly i: number };
type Outcome = { readonly acks: Ack[]; readonly signal: NodeJS.Signals | null; readonly stderr: string };
/** Every writer started, so that a failing test leaves no process behind. */
const writers: { stop(): Promise<Outcome> }[] = [];

/**
 * Starts the writer on `path`. `killAfter(n)` SIGKILLs it once n writes are acknowledged and resolves
 * with every complete line it printed; `running(n)` resolves once n are acknowledged, leaving it running;
 * `acknowledged()` is how many are so far.
 */
function startWriter(path: string) {
  const child = spawn(process.execPath, [writer, path], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  let acknowledged = 0;
  const waiting: { n: number; then: () => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    acknowledged = out.split("\n").length - 1;
    for (const w of waiting.filter((w) => acknowledged >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.then();
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const closed = new Promise<Outcome>((resolve, reject) => {
    child.on("error", reject);
    // "close" waits for stdout to drain: every line the writer got out before dying is counted.
    child.on("close", (_code, signal) => {
      // A torn final line (no newline yet) is not an acknowledgement.
      const lines = out.split("\n").slice(0, -1);
      resolve({ acks: lines.map((line) => ({ kind: line.split(" ")[0] ?? "", i: Number(line.split(" ")[1]) })), signal, stderr });
    });
  });
  // An early exit (a crash of the writer itself) settles every wait, so the test reports it instead of timing out.
  const running = (n: number) =>
    Promise.race([new Promise<void>((then) => (acknowledged >= n ? then() : waiting.push({ n, then }))), closed.then((o) => Promise.reject(new Error(`the writer exited after ${o.acks.length} writes, before ${n}: ${o.stderr}`)))]);
  /** SIGKILLs the writer (a no-op once it is gone) and resolves with what it printed. */
  const stop = () => {
    child.kill("SIGKILL");
    return closed;
  };
  const killAfter = async (n: number) => {
    await running(n);
    return stop();
  };
  const handle = { running, killAfter, stop, acknowledged: () => acknowledged };
  writers.push(handle);
  return handle;
}

describe("SqliteAuthStore under SIGKILL", () => {
  const root = mkdtempSync(join(tmpdir(), "pico-auth-crash-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(async () => {
    for (const w of writers.splice(0)) await w.stop();
  });

  beforeAll(() => {
    if (!existsSync(built)) throw new Error(`expected the built store at ${built} (the writer runs it in plain Node), found nothing; run "pnpm build" first`);
    if (statSync(built).mtimeMs < statSync(source).mtimeMs) throw new Error(`${built} is older than ${source}: run "pnpm build" so the writer runs the current store`);
  });

  it("every write acknowledged before the kill is in the reopened file, and the file is intact", { timeout: 60_000 }, async () => {
    const path = join(root, "auth.db");
    const { acks, signal, stderr } = await startWriter(path).killAfter(ACKNOWLEDGED_BEFORE_KILL);
    expect({ signal, stderr }).toStrictEqual({ signal: "SIGKILL", stderr: "" });
    expect(acks.length).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    expect(new Set(acks.map((a) => a.kind))).toStrictEqual(new Set(["binding", "family", "rotated"]));

    const raw = new Database(path);
    try {
      expect(raw.pragma("integrity_check")).toStrictEqual([{ integrity_check: "ok" }]);
    } finally {
      raw.close();
    }
    const store = SqliteAuthStore.open(path);
    try {
      const missing: string[] = [];
      for (const { kind, i } of acks) {
        if (kind === "binding") {
          const held = await store.bindAddress(`0x${i}`, { algorithm: "Ed25519", publicKey: "probe" });
          if (held.publicKey !== `key-${i}`) missing.push(`binding 0x${i}: expected key-${i}, found ${held.publicKey}`);
        } else {
          const family = await store.family(`family-${i}`);
          // An acknowledged family may have rotated since (the rotation committed, its line not yet out).
          const expected = kind === "rotated" ? [`refresh-${i}-1`] : [`refresh-${i}-0`, `refresh-${i}-1`];
          if (!family || !expected.includes(family.currentHash)) missing.push(`${kind} ${i}: expected current refresh token ${expected.join(" or ")}, found ${family?.currentHash ?? "no family"}`);
        }
      }
      expect(missing).toStrictEqual([]);
    } finally {
      await store.close();
    }
  });

  it("a second process waits for a held write lock instead of failing, then writes", { timeout: 60_000 }, async () => {
    const path = join(root, "locked.db");
    await SqliteAuthStore.open(path).close();
    const holder = new Database(path);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const other = startWriter(path);
      // Well past the writer's start-up, well within its busy timeout: it is blocked on the lock meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(other.acknowledged()).toBe(0);
      holder.exec("COMMIT");
      await other.running(30);
      const { signal, stderr } = await other.stop();
      expect({ signal, stderr }).toStrictEqual({ signal: "SIGKILL", stderr: "" });
    } finally {
      holder.close();
    }
  });
});

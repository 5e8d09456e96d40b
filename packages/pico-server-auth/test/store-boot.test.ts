import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { digest, garbageInTheMiddle, markerKid, usedStore } from "./store-damage.js";

const server = fileURLToPath(new URL("./fixtures/auth-server.mjs", import.meta.url));
const built = fileURLToPath(new URL("../dist/store/checked-open.js", import.meta.url));
const source = fileURLToPath(new URL("../src/store/checked-open.ts", import.meta.url));

const root = mkdtempSync(join(tmpdir(), "pico-auth-boot-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);

interface Run {
  /** Resolves with the server's URL once it listens; rejects if it exits first. */
  readonly listening: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  kill(signal: NodeJS.Signals): void;
}
const running: Run[] = [];

/** Starts the auth server (the built package, as an app's main starts it) on `dataDir`. */
function startServer(dataDir: string, env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [server, dataDir], { env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let announce: ((url: string) => void) | undefined;
  const listening = new Promise<string>((resolve) => (announce = resolve));
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
    if (url) announce?.(url);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, output })));
  const listeningOrExited = Promise.race([listening, exited.then(({ code, output: o }) => Promise.reject(new Error(`the server exited with ${code} before listening:\n${o}`)))]);
  // Refused boots are expected by most tests here: only a test that awaits `listening` sees the rejection.
  listeningOrExited.catch(() => undefined);
  const run = {
    listening: listeningOrExited,
    exited,
    kill: (signal: NodeJS.Signals) => void child.kill(signal),
  };
  running.push(run);
  return run;
}

const RECOVERY = [
  "pico-server-auth: refusing to start: the auth store in",
  "Starting a new store now would issue new signing keys and let anyone claim every wallet address again.",
  "restore auth.db together with auth.db-wal from your backup",
  "server_auth.reinitialize_store = true (env SERVER_AUTH__REINITIALIZE_STORE=true)",
];

describe("boot of a store that lost its data: a real process", () => {
  beforeAll(() => {
    if (!existsSync(built)) throw new Error(`expected the built package at ${built} (the server runs in plain Node), found nothing; run "pnpm build" first`);
    if (statSync(built).mtimeMs < statSync(source).mtimeMs) throw new Error(`${built} is older than ${source}: run "pnpm build" so the server runs the current code`);
  });
  afterEach(() => {
    for (const run of running.splice(0)) run.kill("SIGKILL");
  });

  it("a sound store boots (the control: the same server, the same folder layout)", { timeout: 30_000 }, async () => {
    const dataDir = freshDir();
    const { kid } = await usedStore(dataDir);
    const run = startServer(dataDir);
    const url = await run.listening;
    expect(((await (await fetch(`${url}/api/v1/auth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toStrictEqual([kid]);
    run.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  });

  /** Damages a used store with `damage`, boots the server on it: it must exit with 1, saying `problem` and how to recover, leaving the files as they were. */
  async function expectRefused(damage: (dataDir: string) => Promise<void> | void, problem: string): Promise<void> {
    const dataDir = freshDir();
    const { kid } = await usedStore(dataDir);
    await damage(dataDir);
    const before = [digest(join(dataDir, "auth.db")), digest(join(dataDir, "store.json"))];

    const { code, output } = await startServer(dataDir).exited;
    expect(code, output).toBe(1);
    expect(output).not.toContain("listening on");
    expect(output).toContain(`store.json says the store here was created on`);
    expect(output).toContain(`with signing key ${kid}, but ${problem}`);
    for (const line of RECOVERY) expect(output).toContain(line);
    expect([digest(join(dataDir, "auth.db")), digest(join(dataDir, "store.json"))]).toStrictEqual(before);
  }

  it("auth.db deleted: exit code 1, a message saying what is wrong and how to recover, the files left as they were", { timeout: 30_000 }, () =>
    expectRefused((dir) => rmSync(join(dir, "auth.db")), "auth.db is missing"));

  it("auth.db emptied (truncated to 0 bytes): exit code 1, the message, the files left as they were", { timeout: 30_000 }, () =>
    expectRefused((dir) => truncateSync(join(dir, "auth.db"), 0), "auth.db is empty (0 bytes)"));

  it("garbage bytes written over a page in the middle of auth.db: exit code 1, the message, the files left as they were", { timeout: 30_000 }, () =>
    expectRefused((dir) => garbageInTheMiddle(join(dir, "auth.db")), "auth.db is corrupt (PRAGMA quick_check on"));

  it("another store's auth.db put in its place: exit code 1, the message, the files left as they were", { timeout: 30_000 }, () =>
    expectRefused(async (dir) => {
      const other = freshDir();
      await usedStore(other);
      copyFileSync(join(other, "auth.db"), join(dir, "auth.db"));
    }, "auth.db is another store's: its first signing key is"));

  it("the -wal lost before a checkpoint (the server killed with SIGKILL, the folder copied without auth.db-wal): exit code 1 and the message", { timeout: 30_000 }, async () => {
    const live = freshDir();
    const first = startServer(live);
    await first.listening;
    first.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // The first signing key is still only in the -wal: nothing checkpointed it into auth.db.
    expect(statSync(join(live, "auth.db-wal")).size).toBeGreaterThan(0);
    const kid = markerKid(live);

    const copy = freshDir();
    mkdirSync(copy, { mode: 0o700 });
    for (const file of ["auth.db", "store.json"]) copyFileSync(join(live, file), join(copy, file));
    const { code, output } = await startServer(copy).exited;
    expect(code, output).toBe(1);
    expect(output).toContain(`with signing key ${kid}, but auth.db holds no signing key: it was emptied, or its -wal file was lost before a checkpoint`);
    for (const line of RECOVERY) expect(output).toContain(line);

    // With its -wal the same copy is whole: the key was there all along.
    copyFileSync(join(live, "auth.db-wal"), join(copy, "auth.db-wal"));
    const restored = startServer(copy);
    const url = await restored.listening;
    expect(((await (await fetch(`${url}/api/v1/auth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toStrictEqual([kid]);
  });

  it("SERVER_AUTH__REINITIALIZE_STORE=true starts a fresh store on purpose, once, and says to turn it off; left on, the fresh store damaged again refuses boot", { timeout: 30_000 }, async () => {
    const dataDir = freshDir();
    const { kid } = await usedStore(dataDir);
    rmSync(join(dataDir, "auth.db"));
    const run = startServer(dataDir, { SERVER_AUTH__REINITIALIZE_STORE: "true" });
    const url = await run.listening;
    const kids = ((await (await fetch(`${url}/api/v1/auth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).toHaveLength(1);
    expect(kids).not.toContain(kid);
    expect(markerKid(dataDir)).toBe(kids[0]);
    run.kill("SIGTERM");
    const { output } = await run.exited;
    expect(output).toContain("server_auth.reinitialize_store: auth.db is missing. Moved aside: store.json → store.json.broken-");
    expect(output).toContain("Turn server_auth.reinitialize_store off again now (it does not reset this new store while it stays on).");

    // Left on: the store it created is never reset by it.
    rmSync(join(dataDir, "auth.db"));
    const again = await startServer(dataDir, { SERVER_AUTH__REINITIALIZE_STORE: "true" }).exited;
    expect(again.code, again.output).toBe(1);
    expect(again.output).toContain("but auth.db is missing.");
    expect(again.output).toMatch(/reinitialize_store already acted on \d{4}-\d\d-\d\dT[\d:.]+Z \(it created the store that store\.json names, and resets a store once\): turn it off, then on again to start over/);
    expect(markerKid(dataDir)).toBe(kids[0]);
  });
});

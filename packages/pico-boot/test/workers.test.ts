import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../test-support/ports.js";
import { getJson, processExists, runProgram } from "./running-program.js";
import type { RunningProgram } from "./running-program.js";

// Runs from the built packages (node resolves "pico-boot" to dist/): `npx tsc -b tsconfig.build.json` first.
const script = fileURLToPath(new URL("fixtures/workers-app.mjs", import.meta.url));

interface Whoami {
  readonly pid: number;
  readonly value: string;
}

const started: RunningProgram[] = [];
afterEach(() => {
  // A failed test must not leave a primary (and so its workers) behind.
  for (const program of started.splice(0)) if (program.child.exitCode === null && program.child.signalCode === null) program.child.kill("SIGKILL");
});

async function startWorkers(env: NodeJS.ProcessEnv, options: { detached?: boolean } = {}): Promise<{ program: RunningProgram; url: string; generated: string }> {
  const program = runProgram(script, { PORT: String(await freePort()), HOST: "127.0.0.1", LOG_LEVEL: "info", ...env }, options);
  started.push(program);
  const [, url] = await program.waitFor(/listening on (http:\/\/[\d.:]+) with \d+ workers/);
  const [, generated] = await program.waitFor(/^generated (\S+)$/m);
  return { program, url: url as string, generated: generated as string };
}

/** The pids that answer `count` requests, each on a connection of its own. */
async function answeringPids(url: string, count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < count; i++) pids.add((await getJson<Whoami>(`${url}/whoami`)).body.pid);
  return pids;
}

async function workerPids(url: string, expected: number): Promise<number[]> {
  const pids = await answeringPids(url, expected * 4);
  expect(pids.size).toBe(expected);
  return [...pids];
}

describe("run({ workers }) / WORKERS", () => {
  it("WORKERS=2: two worker processes answer on one port, each with the value the primary generated", async () => {
    const { program, url, generated } = await startWorkers({ WORKERS: "2" });
    const answers = await Promise.all(Array.from({ length: 8 }, () => getJson<Whoami>(`${url}/whoami`)));
    const pids = new Set(answers.map((a) => a.body.pid));
    expect(pids.size).toBe(2);
    expect(pids.has(program.child.pid as number)).toBe(false); // the primary serves nothing itself
    expect(answers.every((a) => a.status === 200 && a.body.value === generated)).toBe(true);
    // Each worker generated a value of its own, and used the primary's instead; the primary announced once.
    expect(program.output().match(/^generated /gm)).toHaveLength(1);
    expect(program.output().match(/pico-boot: listening on/g)).toHaveLength(1);
  });

  it("SIGTERM stops every worker gracefully (in-flight request answered, onDestroy run), then the primary exits 0", async () => {
    const { program, url } = await startWorkers({ WORKERS: "2" });
    const pids = await workerPids(url, 2);
    const slow = getJson<{ pid: number }>(`${url}/slow`);
    await new Promise((r) => setTimeout(r, 300)); // the slow request reaches a worker (it takes 1.5 s to answer)
    program.child.kill("SIGTERM");
    expect((await slow).status).toBe(200);
    expect(await program.exited).toBe(0);
    for (const pid of pids) {
      expect(program.output()).toContain(`destroyed in ${pid}`);
      expect(processExists(pid)).toBe(false);
    }
    expect(program.output().match(/SIGTERM received, shutting down/g)).toHaveLength(1);
  });

  it("run({ workers: 2 }) without WORKERS does the same", async () => {
    const { program, url, generated } = await startWorkers({ WORKERS: undefined, FIXTURE_WORKERS_OPTION: "2" });
    expect(program.output()).toContain(" with 2 workers");
    const answers = await Promise.all(Array.from({ length: 8 }, () => getJson<Whoami>(`${url}/whoami`)));
    expect(new Set(answers.map((a) => a.body.pid)).size).toBe(2);
    expect(answers.every((a) => a.body.value === generated)).toBe(true);
  });

  it("a worker whose shutdown fails makes the primary exit 1 after all workers have exited", async () => {
    const { program, url } = await startWorkers({ WORKERS: "2", FIXTURE_DESTROY_FAILS: "1" });
    const pids = await workerPids(url, 2);
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(1);
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    expect(program.output()).toMatch(/"event":"boot\.shutdown_failed".*did not stop cleanly/);
  });

  it("SIGINT to the whole process group (a terminal's Ctrl-C, systemd's SIGTERM) is one signal for each worker: graceful, exit 0", async () => {
    const { program, url } = await startWorkers({ WORKERS: "2" }, { detached: true });
    const pids = await workerPids(url, 2);
    const slow = getJson<{ pid: number }>(`${url}/slow`);
    await new Promise((r) => setTimeout(r, 300));
    // Each worker gets the signal and the primary's stop request, in either order.
    process.kill(-(program.child.pid as number), "SIGINT");
    expect((await slow).status).toBe(200);
    expect(await program.exited).toBe(0);
    for (const pid of pids) expect(program.output()).toContain(`destroyed in ${pid}`);
    expect(program.output()).not.toContain("again, exiting without waiting");
  });

  it("a worker killed with SIGKILL is replaced, and the death is logged at error with the signal", async () => {
    const { program, url } = await startWorkers({ WORKERS: "2" });
    const [victim, survivor] = await workerPids(url, 2);
    process.kill(victim as number, "SIGKILL");
    const [died] = await program.waitFor(/^.*"event":"workers\.died".*$/m);
    expect(JSON.parse(died)).toMatchObject({ level: "error", workerPid: victim, signal: "SIGKILL" });
    const [, replacement] = await program.waitFor(/pico-boot: worker (\d+) listening, in place of one that died/);
    const pids = await answeringPids(url, 8);
    expect(pids).toEqual(new Set([survivor, Number(replacement)]));
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);
  });

  it("SIGTERM while a replacement is still loading (before its run()): it is stopped too, and the primary exits 0", async () => {
    const slowFile = join(mkdtempSync(join(tmpdir(), "workers-")), "slow");
    const { program, url } = await startWorkers({ WORKERS: "2", FIXTURE_SLOW_START_FILE: slowFile });
    const [victim] = await workerPids(url, 2);
    writeFileSync(slowFile, "");
    process.kill(victim as number, "SIGKILL");
    const [, replacement] = await program.waitFor(/^slow start (\d+)$/m);
    // The stop is asked while the replacement has not reached run(): no one listens for it there yet.
    program.child.kill("SIGTERM");
    const code = await Promise.race([program.exited, new Promise((r) => setTimeout(() => r("still running after 8 s"), 8_000))]);
    const replacementLeft = processExists(Number(replacement));
    if (replacementLeft) process.kill(Number(replacement), "SIGKILL");
    expect(code).toBe(0);
    expect(replacementLeft).toBe(false);
  });

  it("SIGTERM to the primary while the workers are still booting stops them: exit 0, no worker left, no broken channel", async () => {
    const slowFile = join(mkdtempSync(join(tmpdir(), "workers-")), "slow");
    writeFileSync(slowFile, "");
    const program = runProgram(script, { PORT: String(await freePort()), HOST: "127.0.0.1", LOG_LEVEL: "info", WORKERS: "2", FIXTURE_SLOW_START_FILE: slowFile });
    started.push(program);
    const [, first, second] = await program.waitFor(/^slow start (\d+)$[\s\S]*^slow start (\d+)$/m);
    program.child.kill("SIGTERM");
    const code = await Promise.race([program.exited, new Promise((r) => setTimeout(() => r("still running after 8 s"), 8_000))]);
    const left = [first, second].map(Number).filter((pid) => processExists(pid));
    for (const pid of left) process.kill(pid, "SIGKILL");
    expect([code, left]).toEqual([0, []]);
    expect(program.output()).not.toMatch(/EPIPE|ERR_IPC/);
  });

  it("SIGTERM to the whole process group while the workers are still booting (systemd's stop): exit 0, nothing reported as failed", async () => {
    const slowFile = join(mkdtempSync(join(tmpdir(), "workers-")), "slow");
    writeFileSync(slowFile, "");
    const program = runProgram(script, { PORT: String(await freePort()), HOST: "127.0.0.1", LOG_LEVEL: "info", WORKERS: "2", FIXTURE_SLOW_START_FILE: slowFile }, { detached: true });
    started.push(program);
    await program.waitFor(/^slow start \d+$/m);
    process.kill(-(program.child.pid as number), "SIGTERM");
    const code = await Promise.race([program.exited, new Promise((r) => setTimeout(() => r("still running after 8 s"), 8_000))]);
    expect(code).toBe(0);
    expect(program.output()).not.toMatch(/EPIPE|ERR_IPC|did not stop cleanly/);
  });

  it("a worker that keeps dying is not replaced forever: the primary stops and exits 1, saying why", async () => {
    const { program, url } = await startWorkers({ WORKERS: "2" });
    let code: number | null | undefined;
    void program.exited.then((c) => (code = c));
    while (code === undefined) {
      await getJson(`${url}/exit`).catch(() => undefined); // one worker exits with 3
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(1);
    expect(program.output()).toMatch(/"event":"workers\.crash_loop".*more than 5 workers died within 60 s, stopping instead of replacing it/);
    expect(program.output().match(/"event":"workers\.died"/g)).toHaveLength(5);
  });

  it("once serving, a replacement that cannot boot is logged with its problem and retried, within the restart budget", async () => {
    const breakFile = join(mkdtempSync(join(tmpdir(), "workers-")), "break");
    const { program, url } = await startWorkers({ WORKERS: "2", FIXTURE_BREAK_FILE: breakFile });
    const [victim] = await workerPids(url, 2);
    writeFileSync(breakFile, "");
    process.kill(victim as number, "SIGKILL");
    const [failed] = await program.waitFor(/^.*"event":"workers\.boot_failed".*$/m);
    expect(JSON.parse(failed)).toMatchObject({ level: "error", msg: expect.stringMatching(/^pico-boot: worker \d+ cannot start: .*broken on purpose/) });
    // The survivor serves throughout; once the cause is gone, a replacement starts.
    expect((await getJson<Whoami>(`${url}/whoami`)).status).toBe(200);
    rmSync(breakFile);
    await program.waitFor(/pico-boot: worker \d+ listening, in place of one that died/, 10_000);
    expect(program.child.exitCode).toBeNull();
  });

  it("WORKERS=0 starts one worker per core (os.availableParallelism())", async () => {
    const cores = availableParallelism();
    if (cores === 1) return; // one core is one process: nothing to count (the single-process path is tested elsewhere)
    const { program, url } = await startWorkers({ WORKERS: "0" });
    expect(program.output()).toContain(`with ${cores} workers`);
    await workerPids(url, cores);
  });

  it("a bad WORKERS exits 1 with one line naming it and what it got, before any worker starts", async () => {
    const program = runProgram(script, { PORT: "0", WORKERS: "many" });
    started.push(program);
    expect(await program.exited).toBe(1);
    expect(program.stderr()).toBe('pico-boot: cannot start: "workers" expected an integer from 0 to 256 (0: one per core), got "many" from WORKERS\n');
  });

  it("a worker that cannot boot ends the program: exit 1, the problem printed once, no worker started again", async () => {
    const program = runProgram(script, { PORT: String(await freePort()), WORKERS: "2", FIXTURE_BAD_CONFIG: "1" });
    started.push(program);
    expect(await program.exited).toBe(1);
    expect(program.stderr()).toMatch(/^pico-boot: cannot start: invalid configuration: web\.no_such_setting: unknown key; expected one of .*\n$/);
    expect(program.output()).not.toContain("workers.died");
    expect(program.output()).not.toContain("listening");
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runProgram } from "../../../packages/pico-boot/test/running-program.js";
import type { RunningProgram } from "../../../packages/pico-boot/test/running-program.js";
import { postJson } from "../../../packages/pico-server-auth/test/support.js";
import { freePort } from "../../../test-support/ports.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

const started: RunningProgram[] = [];
afterEach(() => {
  for (const program of started.splice(0)) if (program.child.exitCode === null && program.child.signalCode === null) program.child.kill("SIGKILL");
});

/** The start script with WORKERS, without SERVER_AUTH__ADMIN_PASSWORD (so one is generated), data in a folder of its own. */
async function startScript(env: NodeJS.ProcessEnv): Promise<RunningProgram> {
  const program = runProgram(main, {
    SERVER_AUTH__ADMIN_PASSWORD: undefined,
    SHOW_GENERATED_PASSWORD: "1",
    PORT: String(await freePort()),
    SERVER_AUTH__DATA_DIR: mkdtempSync(join(tmpdir(), "embed-workers-")),
    ...env,
  }, { cwd: packageDir });
  started.push(program);
  return program;
}

describe("embed-in-app with WORKERS=2", () => {
  it("announces one generated password, and it logs the admin in on every worker", async () => {
    const program = await startScript({ WORKERS: "2" });
    const [, url] = await program.waitFor(/listening on (http:\/\/[\d.:]+) with 2 workers/);
    const [, password] = await program.waitFor(/Admin login: admin@example\.com \/ (\S+) \(generated/);
    // fetch keeps one connection; a connection of its own per login lets the cluster hand them to both workers.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${url}/api/v1/auth/login`, postJson({ email: "admin@example.com", password }, { connection: "close" }));
      expect(res.status).toBe(200);
    }
    const loginPids = new Set([...program.output().matchAll(/^\{.*"route":"\/api\/v1\/auth\/login".*$/gm)].map(([line]) => (JSON.parse(line) as { pid: number }).pid));
    expect(loginPids.size).toBe(2);
    expect(program.output().match(/Admin login:/g)).toHaveLength(1);
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);
  });

  it("store: memory fails boot with one line saying the workers cannot share it", async () => {
    const program = await startScript({ WORKERS: "2", SERVER_AUTH__STORE: "memory" });
    expect(await program.exited).toBe(1);
    expect(program.stderr()).toMatch(/^pico-boot: cannot start: .*server_auth\.store = memory cannot be shared between processes, and this process is one of 2 workers \(WORKERS, or run\(\{ workers \}\)\).*\n$/);
    expect(program.output()).not.toContain("Admin login:");
  });
});

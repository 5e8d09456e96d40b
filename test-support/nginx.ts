import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

/** Debian's nginx (package `nginx`), for the tests that put a real reverse proxy in front of an app. */
export const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";

// As for Chromium: skipped and reported on a machine without nginx; in CI (CI=true) .ci/run
// installs it and a missing one fails.
export const runNginxTest = existsSync(NGINX) || Boolean(process.env.CI);

export interface RunningNginx {
  /** The port nginx listens on, at 127.0.0.1. */
  readonly port: number;
  /** nginx's error log so far: for failure messages. */
  errorLog(): Promise<string>;
  /** Stops nginx (SIGQUIT: graceful), waits for it to exit, and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts nginx as a child process of the test, with everything of its own in a fresh temporary
 * directory (prefix, config, pid, logs, temp files) and an ephemeral port: no shared state with
 * another run or the system's nginx. `httpBody` gives the rest of the `http {}` block for the port
 * to listen on. Runs a single process (no master): as root, workers would switch to a user that
 * cannot read the directory.
 */
export async function startNginx(httpBody: (listenPort: number) => string): Promise<RunningNginx> {
  const dir = await mkdtemp(join(tmpdir(), "pico-nginx-"));
  const port = await freePort();
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) await mkdir(join(dir, sub));
  const conf = join(dir, "nginx.conf");
  await writeFile(
    conf,
    `error_log ${dir}/error.log info;
events { worker_connections 128; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${httpBody(port)}
}
`,
  );
  // -e: the log nginx writes before it has read the config (else /var/log/nginx/error.log).
  const child = spawn(NGINX, ["-p", dir, "-c", conf, "-e", join(dir, "error.log"), "-g", `daemon off; master_process off; pid ${dir}/nginx.pid;`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // A missing binary (ENOENT) is an "error" with no "exit": in CI that must fail the test, not hang it.
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", (error) => {
      spawnError = error;
      resolve(null);
    });
  });
  const errorLog = () => readFile(join(dir, "error.log"), "utf8").catch(() => "");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && !spawnError) child.kill("SIGQUIT");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForListener(port, child, exited);
  } catch (error) {
    const log = await errorLog();
    await stop();
    throw new Error(`nginx (${NGINX}) did not start: ${spawnError?.message ?? (error as Error).message}\n${stderr}${log}`, { cause: spawnError ?? error });
  }
  return { port, errorLog, stop };
}

async function waitForListener(port: number, child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + 10_000;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`it exited with code ${child.exitCode}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing listened on port ${port} within 10 s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

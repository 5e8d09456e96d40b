import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { freePort } from "./ports.js";

/**
 * The machine's shared PostgreSQL and Redis (started before each session and by .ci/run), and
 * servers of a test's own for fault tests. Tests never stop the shared servers: a fault test starts
 * a second Redis or a second PostgreSQL cluster on a free port and stops only that one.
 */
export const SHARED_POSTGRES = "postgres://postgres@127.0.0.1:5432/test";
export const SHARED_REDIS = "redis://127.0.0.1:6379";

/** A short random name part: databases, clusters and key prefixes of one test run. */
export const runId = (): string => randomBytes(5).toString("hex");

/**
 * Whether the shared `service` answers. Under CI=true a missing service is a failure (thrown), never
 * a skip; elsewhere the caller may skip, and this says why on stderr.
 */
export function serviceAvailable(service: "postgres" | "redis"): boolean {
  const up =
    service === "postgres"
      ? spawnSync("pg_isready", ["-q", "-h", "127.0.0.1", "-p", "5432"]).status === 0
      : spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", "6379", "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG";
  if (up) return true;
  if (process.env.CI === "true") throw new Error(`${service} is not running on this machine; .ci/run starts it (CI must not skip these tests)`);
  process.stderr.write(`skipping: ${service} is not running on 127.0.0.1 (start it as .ci/run does)\n`);
  return false;
}

function psql(url: string, sql: string): void {
  const result = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr}`);
}

/** A database of the test's own on the shared server, dropped by `drop()` (connections terminated first). */
export function temporaryDatabase(server = SHARED_POSTGRES): { readonly url: string; readonly name: string; drop(): void } {
  const name = `pico_test_${runId()}`;
  psql(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => psql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A key prefix of the test's own on the shared Redis, its keys deleted by `clean()`. */
export function temporaryRedisPrefix(server = SHARED_REDIS): { readonly prefix: string; clean(): void } {
  const prefix = `pico-test:${runId()}:`;
  return {
    prefix,
    clean: () => {
      const { port, hostname } = new URL(server);
      spawnSync("sh", ["-c", `redis-cli -h ${hostname} -p ${port || 6379} --scan --pattern '${prefix}*' | xargs -r redis-cli -h ${hostname} -p ${port || 6379} del >/dev/null`]);
    },
  };
}

/** A redis-server of the test's own on a free port: stop() and start() it at will; close() in afterAll. */
export async function ownRedis(): Promise<{ readonly url: string; readonly port: number; start(): Promise<void>; stop(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  const start = async (): Promise<void> => {
    if (child) return;
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitFor(() => spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG", `redis-server on ${port}`);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, close: stop };
}

/**
 * A PostgreSQL cluster of the test's own (Debian's pg_createcluster, trust auth, owned by the
 * postgres user; the tools run as root, as CI does, and drop privileges themselves) on a free port:
 * stop() and start() it at will; close() drops it, in afterAll, even after a failure.
 */
export async function ownPostgresCluster(): Promise<{ readonly url: string; readonly port: number; start(): void; stop(): void; close(): void }> {
  const version = readdirSync("/etc/postgresql").sort((a, b) => Number(a) - Number(b)).at(-1) as string;
  const port = await freePort();
  const name = `picotest_${runId()}`;
  const pgTool = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  };
  pgTool("pg_createcluster", [version, name, "--port", String(port), "--", "--auth=trust"]);
  const start = () => {
    pgTool("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, "start"]);
    waitForSync(() => spawnSync("pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)]).status === 0, `PostgreSQL cluster ${name}`);
  };
  const stop = () => pgTool("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, "stop", "-m", "fast"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    close: () => pgTool("pg_dropcluster", [version, name, "--stop"]),
  };
}

async function waitFor(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function waitForSync(ready: () => boolean, what: string, timeoutMs = 15_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms`);
    spawnSync("sleep", ["0.1"]);
  }
}

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createClient } from "@redis/client";
import type { Logger } from "pico-ioc";
import { freePort } from "../../../test-support/ports.js";
import { ServerAuthSettings } from "../src/settings.js";

/** The machine's shared Redis: used, never stopped. */
export const SHARED_REDIS_URL = "redis://127.0.0.1:6379";

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 500 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once("connect", () => done(true)).once("error", () => done(false)).once("timeout", () => done(false));
  });
}

/** Skipped (and reported as skipped) where Redis is absent, except under CI=true, where it fails. */
export const runRedisTest = (await reachable(6379)) || Boolean(process.env.CI);

/** Each test file its own key prefix, deleted after. */
export const testPrefix = (): string => `pico-test:${randomBytes(6).toString("hex")}:`;

export function redisSettings(redisUrl: string, prefix: string, more: Partial<ServerAuthSettings> = {}): ServerAuthSettings {
  return Object.assign(new ServerAuthSettings(), { redisUrl, redisKeyPrefix: prefix, ...more });
}

/** Every key under `prefix` on `url`, and a way to delete them. */
export async function keysUnder(url: string, prefix: string, remove = false): Promise<string[]> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    const found: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) found.push(...(Array.isArray(batch) ? batch : [batch]));
    if (remove && found.length > 0) await client.del(found);
    return found;
  } finally {
    client.destroy();
  }
}

export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export function recordingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record = (level: LogLine["level"]) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}

/** Polls `condition` every 20 ms until it holds, at most `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A redis-server of this test's own, on a free port, that the test may stop, pause and start again
 * (the shared one on 6379 is never touched). `kill()` in afterAll, whatever happened.
 */
export class OwnRedis {
  #process: ChildProcess | undefined;

  /** `password`: the server requires it (requirepass), and `url` carries it. */
  private constructor(readonly port: number, readonly password?: string) {}

  static async start(password?: string): Promise<OwnRedis> {
    const redis = await OwnRedis.notStarted(password);
    await redis.start();
    return redis;
  }

  /** A port nothing listens on yet; `start()` brings the server up there later. */
  static async notStarted(password?: string): Promise<OwnRedis> {
    return new OwnRedis(await freePort(), password);
  }

  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ""}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.#process) throw new Error("already running");
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...(this.password ? ["--requirepass", this.password] : [])], { stdio: ["ignore", "pipe", "pipe"] });
    this.#process = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on ${this.port} not ready within 10 s: ${output}`)), 10_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      // A missing binary is an "error" without "exit": fail, never hang.
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${this.port} exited (${code}) before it was ready: ${output}`));
      });
    });
  }

  /** SIGTERM, as a service manager stops it; resolves once it exited. */
  async stop(): Promise<void> {
    await this.#signal("SIGTERM");
  }

  /** A Redis that holds its connections but answers nothing (SIGSTOP); `resume()` undoes it. */
  pause(): void {
    this.#process?.kill("SIGSTOP");
  }

  resume(): void {
    this.#process?.kill("SIGCONT");
  }

  /** For afterAll: whatever state it is in, it is gone after this. */
  async kill(): Promise<void> {
    this.resume();
    await this.#signal("SIGKILL");
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}

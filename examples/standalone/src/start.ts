import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { DEFAULT_API_PORT, DEFAULT_AUTH_PORT, portFrom } from "./config.js";

/**
 * The one command: starts the auth service and the API service as two child processes, prefixes
 * their output, forwards SIGINT/SIGTERM to both, and exits 0 only when both exited 0. If one dies on
 * its own, the other is stopped.
 */
interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

let authPort: number;
let apiPort: number;
try {
  authPort = portFrom(process.env, "AUTH_PORT", DEFAULT_AUTH_PORT);
  apiPort = portFrom(process.env, "API_PORT", DEFAULT_API_PORT);
} catch (error) {
  console.error(`[start] ${(error as Error).message}`);
  process.exit(2);
}

// The API never needs the admin password: keep the auth service's settings out of its environment.
const apiEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("SERVER_AUTH__")));
let stopping = false;
// The credential of the revocation feed, shared by the two services: a fresh one per run unless given.
const revocation = { REVOCATION_BEARER: process.env.REVOCATION_BEARER || randomBytes(24).toString("base64url") };

// The auth service's stderr is a pipe to this launcher: it may print a generated admin password
// only when the launcher's own stderr is a terminal (or SHOW_GENERATED_PASSWORD=1 was set).
const showPassword = process.stderr.isTTY === true ? { SHOW_GENERATED_PASSWORD: "1" } : {};

const services = [
  startService("auth", "auth-service.js", { ...process.env, ...revocation, ...showPassword, PORT: String(authPort) }),
  startService("api", "api-service.js", { ...apiEnv, ...revocation, PORT: String(apiPort), AUTH_PORT: String(authPort) }),
];

// Forwarded once: wrappers such as pnpm pass on the terminal's Ctrl-C, so the launcher can get the
// same SIGINT twice, and a second one would make pico-boot skip its graceful shutdown (exit 1).
// pico-boot's shutdown timeout bounds the wait anyway.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return console.log(`[start] ${signal}: already stopping, waiting for the services`);
    console.log(`[start] ${signal}: stopping both services`);
    stopAll(signal);
  });
}

const codes = await Promise.all(services.map((s) => s.exited));
process.exitCode = codes.every((code) => code === 0) ? 0 : 1;

function startService(name: string, file: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL(file, import.meta.url))], {
    env,
    // Its own process group: a terminal's Ctrl-C then reaches only this launcher, which forwards it
    // once. Had the child got it from the terminal as well, the forwarded copy would be a second
    // signal, and pico-boot exits at once with 1 on a second signal.
    detached: true,
    // The IPC channel tells the service when this launcher is gone (see launcher-link.ts).
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const label = `[${name}]`.padEnd(7);
  forwardLines(child.stdout, process.stdout, label);
  forwardLines(child.stderr, process.stderr, label);
  // "close", not "exit": it comes after the last output line has been forwarded.
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", (error) => console.error(`[start] ${name}: ${error.message}`));
    child.on("close", (code, signal) => {
      if (!stopping) {
        console.error(`[start] ${name} service exited (${signal ?? `code ${code}`}); stopping the other`);
        stopAll("SIGTERM");
      }
      resolve(code);
    });
  });
  return { name, child, exited };
}

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const { child } of services) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

function forwardLines(from: Readable | null, to: Writable, label: string): void {
  if (from) createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => to.write(`${label}${line}\n`));
}

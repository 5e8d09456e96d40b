import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";

/** The seed app (pico_server_auth + pico_client_auth + my_app), built: what every instance runs. */
export const SEED_MAIN = fileURLToPath(new URL("../examples/embed-in-app/dist/main.js", import.meta.url));

/** The issuer every instance of one deployment shares (tokens of one are valid on all). */
// localhost: plain http is admitted there only; nothing listens on this port, it is only a name.
export const SHARED_ISSUER = "http://localhost:8199";

export interface Instance {
  /** Where this instance listens, e.g. http://127.0.0.1:43127. */
  readonly url: string;
  readonly pid: number;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** kill -9, then waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts one instance of the seed app on a free port with `env` over the parent's, and resolves once
 * its /healthz answers (at LOG_LEVEL=warn it prints no "listening" line). Every instance of a test
 * shares the issuer, so tokens travel.
 */
export async function startInstance(env: Record<string, string>, main = SEED_MAIN, timeoutMs = 20_000): Promise<Instance> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      SERVER_AUTH__ISSUER: SHARED_ISSUER,
      AUTH_CLIENT__ISSUER: SHARED_ISSUER,
      AUTH_CLIENT__JWKS_URL: `${SHARED_ISSUER}/api/v1/auth/jwks`,
      SERVER_AUTH__ADMIN_PASSWORD: "instance-test-password",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const listening = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(`${listening}/healthz`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the instance did not start (${child.exitCode === null ? "timeout" : `exit ${child.exitCode}`}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: listening,
    pid: child.pid as number,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Starts `count` instances at once (concurrent boots, as a rolling deploy or a scale-up does). */
export function startInstances(count: number, env: Record<string, string>): Promise<Instance[]> {
  return Promise.all(Array.from({ length: count }, () => startInstance(env)));
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

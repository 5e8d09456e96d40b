import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The seed app (pico_server_auth + pico_client_auth + my_app), built: what every instance runs. */
export const SEED_MAIN = fileURLToPath(new URL("../examples/embed-in-app/dist/main.js", import.meta.url));

/** The issuer every instance of one deployment shares (tokens of one are valid on all). */
export const SHARED_ISSUER = "http://auth.pico.test";

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
 * Starts one instance of the seed app on a free port (PORT=0) with `env` over the parent's, and
 * resolves once it listens. Every instance of a test shares the issuer, so tokens travel.
 */
export async function startInstance(env: Record<string, string>, main = SEED_MAIN, timeoutMs = 20_000): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: "0",
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
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!(url = /listening on (http:\/\/[\w.:[\]]+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the instance did not start (${child.exitCode === null ? "timeout" : `exit ${child.exitCode}`}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const listening = url;
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

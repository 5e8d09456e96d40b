/** The seed app (examples/embed-in-app) as a child process on a free loopback port. */
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { Agent } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HarnessError } from "./harness-error.js";
import { call } from "./http.js";
import type { Endpoint } from "./http.js";

// Compiled to soak/dist/soak/ (the wallets come from bench/lib/, so the build root is the repo).
const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const SEED_MAIN = join(REPO, "examples/embed-in-app/dist/main.js");
export const HOST = "127.0.0.1";
export const ADMIN_EMAIL = "admin@example.com";

export interface Server extends Endpoint {
  readonly child: ChildProcess;
  readonly log: string[];
}

/** A password for the seed app's admin, new for each soak run; both starts of the run use it. */
export function newAdminPassword(): string {
  return `soak-${randomBytes(12).toString("base64url")}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The environment without settings of our own that could change the seed app's behaviour. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(SERVER_AUTH__|AUTH_CLIENT__|WEB__|PICO_)/.test(k) || k === "PORT" || k === "HOST" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export async function startServer(dataDir: string, adminPassword: string, agent: Agent): Promise<Server> {
  if (!existsSync(SEED_MAIN)) throw new HarnessError(`${SEED_MAIN} not found: run the build first (pnpm soak does)`);
  const port = await freePort();
  const child = spawn(process.execPath, [SEED_MAIN], {
    cwd: dataDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: childEnv({
      PORT: String(port),
      HOST,
      SERVER_AUTH__DATA_DIR: dataDir,
      SERVER_AUTH__ADMIN_PASSWORD: adminPassword,
      // Every request comes from 127.0.0.1: one client, whose challenge quota would stop the soak's
      // wallet sign-ins after 30 per 2 minutes.
      SERVER_AUTH__CHALLENGES_PER_CLIENT: "1000000000",
      SERVER_AUTH__MAX_CHALLENGES: "1000000",
      // And its refresh limit (60 per minute) would stop the soak's refreshes.
      SERVER_AUTH__REFRESHES_PER_CLIENT: "1000000",
    }),
  });
  const log: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => log.push(...chunk.toString("utf8").split("\n").filter((l) => l !== "")));
  const server = { child, url: `http://${HOST}:${port}`, agent, log };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new HarnessError(`the seed app exited (${child.exitCode}) before it was ready:\n${log.join("\n")}`);
    try {
      if ((await call(server, "GET", "/api/v1/auth/jwks")).status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new HarnessError(`the seed app was not ready within 30 s:\n${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then the graceful stop must finish (pico-boot closes the store on the way out). */
export async function stopServer(server: Server): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 15_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export interface Rss {
  readonly rss: number;
  readonly peak: number;
}

/** The server's resident set size, from /proc (Linux); undefined elsewhere. */
export function rssOf(child: ChildProcess): Rss | undefined {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kib = (field: string) => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.split("\n").find((l) => l.startsWith(`${field}:`)) ?? "")?.[2]);
    return { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
  } catch {
    return undefined;
  }
}

/** The seed app (examples/embed-in-app) as a child process, and the HTTP calls the harness makes to it. */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { HarnessError, freePort, fsTypeOf, spawnNode, waitFor200 } from "./proc.js";
import type { Child, Pinning } from "./proc.js";

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = `bench-${randomBytes(12).toString("base64url")}`;
/** The seed config's issuer and audience (examples/embed-in-app/src/config.ts). */
export const ISSUER = "http://localhost:8100";
export const AUDIENCE = "my-app";
/** pico-client-auth's default `token_cache_size`. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;
export const READY_PATH = "/api/v1/auth/jwks";

export interface Running {
  readonly child: Child;
  readonly port: number;
  readonly url: string;
}

export function seedMain(repo: string): string {
  const main = join(repo, "examples/embed-in-app/dist/main.js");
  if (!existsSync(main)) throw new HarnessError(`${main} not found: run the build first (pnpm bench does)`);
  return main;
}

/** A new temporary directory; `memory`: on /dev/shm (tmpfs, where fsync costs nothing) when there is one. */
export function tempDir(prefix: string, where: "disk" | "memory" = "disk"): string {
  const base = where === "memory" && existsSync("/dev/shm") && fsTypeOf("/dev/shm") === "tmpfs" ? "/dev/shm" : tmpdir();
  return mkdtempSync(join(base, `pico-bench-${prefix}-`));
}

export function seedEnv(dataDir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: String(port),
    // The example's issuer follows PORT; every seed app of a run must accept the same tokens.
    SERVER_AUTH__ISSUER: ISSUER,
    AUTH_CLIENT__ISSUER: ISSUER,
    SERVER_AUTH__ADMIN_PASSWORD: ADMIN_PASSWORD,
    SERVER_AUTH__DATA_DIR: dataDir,
    // Every request comes from 127.0.0.1: mintAccessTokens' refresh chains would hit the per-client refresh limit.
    SERVER_AUTH__REFRESHES_PER_CLIENT: "1000000",
    // The targets are measured without the access log; its own cost is a row of its own (LOG_LEVEL=info).
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export interface SeedOptions {
  readonly name: string;
  readonly repo: string;
  readonly dataDir: string;
  readonly pinning: Pinning;
  readonly env?: Record<string, string>;
  readonly cores?: string;
  readonly nodeArgs?: readonly string[];
}

export async function startSeed(options: SeedOptions): Promise<Running> {
  const port = await freePort();
  const child = spawnNode({
    name: options.name,
    script: seedMain(options.repo),
    env: seedEnv(options.dataDir, port, options.env),
    pinning: options.pinning,
    cwd: options.dataDir,
    ...(options.cores ? { cores: options.cores } : {}),
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
  });
  await waitFor200(child, port, READY_PATH, performance.now());
  return { child, port, url: `http://127.0.0.1:${port}` };
}

/** Keep-alive connections for the harness's own setup requests (node:http costs this process far less CPU than fetch). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One JSON POST expecting 200. A request on a kept-alive socket that the server closed meanwhile
 * (idle past its keep-alive timeout) is sent once more on a new one, as Node's docs advise: the
 * harness's calls (challenges, logins, refreshes) never reached the server in that case.
 */
export function postJson<T>(url: string, body: unknown, retried = false): Promise<T> {
  return postOnce<T>(url, body).catch((error: unknown) => {
    if (!retried && (error as { reusedSocket?: boolean }).reusedSocket) return postJson<T>(url, body, true);
    throw error;
  });
}

function postOnce<T>(url: string, body: unknown): Promise<T> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200) return reject(new HarnessError(`POST ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        try {
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.setTimeout(30_000, () => req.destroy(new HarnessError(`POST ${url}: no answer in 30 s`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      const closedUnderUs = req.reusedSocket && (error.code === "ECONNRESET" || error.message === "socket hang up");
      reject(closedUnderUs ? Object.assign(error, { reusedSocket: true }) : error);
    });
    req.end(payload);
  });
}

interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

export function login(server: Running): Promise<Tokens> {
  return postJson<Tokens>(`${server.url}/api/v1/auth/login`, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
}

/**
 * `count` distinct valid access tokens: a few admin logins per server, then chains of POST /refresh
 * (each refresh token works once and returns a new access token). Several servers on one data dir
 * share the signing key, so their tokens are valid for any instance on that dir.
 */
export async function mintAccessTokens(servers: readonly Running[], count: number, chainsPerServer = 4): Promise<string[]> {
  const tokens: string[] = [];
  // Logins one after another: the server counts parallel password attempts against its rate limit.
  const starts: { server: Running; first: Tokens }[] = [];
  for (const server of servers) for (let i = 0; i < chainsPerServer; i++) starts.push({ server, first: await login(server) });
  const chains = starts.length;
  await Promise.all(
    starts.map(async ({ server, first }, chain) => {
      const share = Math.floor(count / chains) + (chain < count % chains ? 1 : 0);
      let current = first;
      const mine: string[] = [current.access_token];
      while (mine.length < share) {
        current = await postJson<Tokens>(`${server.url}/api/v1/auth/refresh`, { refresh_token: current.refresh_token });
        mine.push(current.access_token);
      }
      tokens.push(...mine.slice(0, share));
    }),
  );
  if (new Set(tokens).size !== count) throw new HarnessError(`minted ${new Set(tokens).size} distinct tokens, wanted ${count}`);
  return tokens;
}

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i] as T, i);
      }
    }),
  );
  return out;
}

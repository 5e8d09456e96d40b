/**
 * pnpm soak [--seconds N] [--max-requests M] [--concurrency C]
 *
 * Starts the seed app (examples/embed-in-app/dist/main.js) as a child process on a free loopback
 * port with a fresh temporary data dir, runs mixed traffic against it for N seconds (or M requests,
 * whichever comes first) with C workers, then checks that nothing was lost: it stops the server,
 * opens the data dir's SQLite store and finds every session and wallet binding the soak created,
 * then restarts the server on the same data dir and uses them through the API.
 *
 * Exit code 1 on any 5xx, any unexpected answer, any loss, or any harness error (a request with no
 * answer within the timeout counts as one). The summary is Markdown, on stdout.
 */
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign } from "node:crypto";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SEED_MAIN = join(REPO, "examples/embed-in-app/dist/main.js");
const HOST = "127.0.0.1";
const ADMIN_EMAIL = "admin@example.com";
const ADMIN_PASSWORD = `soak-${randomBytes(12).toString("base64url")}`;
const REQUEST_TIMEOUT_MS = 15_000;

class HarnessError extends Error {}

// ---------------------------------------------------------------- options

interface Options {
  readonly seconds: number;
  readonly maxRequests: number;
  readonly concurrency: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options = { seconds: 60, maxRequests: 1_000_000, concurrency: 8 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") continue;
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    const key = { "--seconds": "seconds", "--max-requests": "maxRequests", "--concurrency": "concurrency" }[name] as keyof typeof options | undefined;
    if (!key) throw new HarnessError(`unknown option ${arg}; usage: pnpm soak [--seconds N] [--max-requests M] [--concurrency C]`);
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new HarnessError(`${name} needs a positive integer`);
    options[key] = value;
  }
  if (options.seconds > 3_600) throw new HarnessError("--seconds is at most 3600: the soak is bounded");
  return options;
}

// ---------------------------------------------------------------- the server

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly log: string[];
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

async function startServer(dataDir: string): Promise<Server> {
  if (!existsSync(SEED_MAIN)) throw new HarnessError(`${SEED_MAIN} not found: run the build first (pnpm soak does)`);
  const port = await freePort();
  const child = spawn(process.execPath, [SEED_MAIN], {
    cwd: dataDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: childEnv({
      PORT: String(port),
      HOST,
      SERVER_AUTH__DATA_DIR: dataDir,
      SERVER_AUTH__ADMIN_PASSWORD: ADMIN_PASSWORD,
      // Every request comes from 127.0.0.1: one client, whose challenge quota would stop the soak's
      // wallet sign-ins after 30 per 2 minutes.
      SERVER_AUTH__CHALLENGES_PER_CLIENT: "1000000000",
      SERVER_AUTH__MAX_CHALLENGES: "1000000",
    }),
  });
  const log: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => log.push(...chunk.toString("utf8").split("\n").filter((l) => l !== "")));
  const server = { child, url: `http://${HOST}:${port}`, log };
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
async function stopServer(server: Server): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 15_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** The server's resident set size, from /proc (Linux); undefined elsewhere. */
function rssOf(child: ChildProcess): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kib = (field: string) => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.split("\n").find((l) => l.startsWith(`${field}:`)) ?? "")?.[2]);
    return { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- HTTP

interface Answer {
  readonly status: number;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(server: Pick<Server, "url">, method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers["content-length"] = Buffer.byteLength(options.body);
    const req = request(`${server.url}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new HarnessError(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

// ---------------------------------------------------------------- wallets (as examples/wallet-client and bench/lib/wallets.ts make them)

type WalletAlgorithm = "Ed25519" | "secp256k1" | "ML-DSA-65";
const ALGORITHMS: readonly WalletAlgorithm[] = ["Ed25519", "secp256k1", "ML-DSA-65"];

interface Wallet {
  readonly algorithm: WalletAlgorithm;
  readonly publicKeyHex: string;
  readonly address: string;
  sign(message: string): string;
}

function newWallet(algorithm: WalletAlgorithm): Wallet {
  let publicKey: Uint8Array;
  let sign: (m: string) => Uint8Array;
  if (algorithm === "ML-DSA-65") {
    const keys = ml_dsa65.keygen(randomBytes(32));
    publicKey = keys.publicKey;
    sign = (m) => ml_dsa65.sign(new TextEncoder().encode(m), keys.secretKey);
  } else if (algorithm === "Ed25519") {
    const { publicKey: pub, privateKey } = generateKeyPairSync("ed25519");
    publicKey = Buffer.from(pub.export({ format: "jwk" }).x as string, "base64url");
    sign = (m) => nodeSign(null, Buffer.from(m), privateKey);
  } else {
    const { publicKey: pub, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const { x, y } = pub.export({ format: "jwk" });
    publicKey = Buffer.concat([Buffer.from([4]), Buffer.from(x as string, "base64url"), Buffer.from(y as string, "base64url")]);
    sign = (m) => nodeSign("sha256", Buffer.from(m), privateKey);
  }
  const publicKeyHex = Buffer.from(publicKey).toString("hex");
  const address = `0x${createHash("sha256").update(publicKey).digest("hex").slice(0, 40)}`;
  return { algorithm, publicKeyHex, address, sign: (m) => Buffer.from(sign(m)).toString("hex") };
}

// ---------------------------------------------------------------- the traffic

interface Session {
  readonly sid: string;
  readonly sub: string;
  readonly role: "admin" | "wallet";
  access: string;
  refresh: string;
  /** The jti of `refresh`: what the store must hold as the session's current refresh token. */
  refreshJti: string;
  ended: boolean;
  busy: boolean;
}

interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

type Action = "wallet sign-in" | "admin login" | "refresh" | "profile" | "logout" | "garbage";
const MIX: readonly (readonly [Action, number])[] = [
  ["wallet sign-in", 18],
  ["admin login", 4],
  ["refresh", 20],
  ["profile", 35],
  ["logout", 5],
  ["garbage", 18],
];

class Soak {
  readonly statuses = new Map<number, number>();
  readonly actions = new Map<Action, number>();
  readonly unexpected: string[] = [];
  readonly sessions = new Map<string, Session>();
  readonly bindings = new Map<string, Wallet>();
  readonly wallets: Wallet[] = [];
  requests = 0;
  rateLimited = 0;
  garbageKinds = new Map<string, number>();

  constructor(private readonly server: Server, private readonly maxRequests: number) {}

  get budgetLeft(): boolean {
    return this.requests < this.maxRequests;
  }

  async send(method: string, path: string, options?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<Answer> {
    this.requests++;
    const answer = await call(this.server, method, path, options);
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    return answer;
  }

  expect(answer: Answer, statuses: readonly number[], what: string): boolean {
    if (statuses.includes(answer.status)) return true;
    if (answer.status === 429) {
      // The admin login allows 8 argon2 checks at once; a rate limit is an answer, not a fault.
      this.rateLimited++;
      return false;
    }
    if (this.unexpected.length < 50) this.unexpected.push(`${what}: ${answer.status} ${answer.body.slice(0, 200)}`);
    else this.unexpected.push("…");
    return false;
  }

  #pick(): Session | undefined {
    const live = [...this.sessions.values()].filter((s) => !s.ended && !s.busy);
    return live[Math.floor(Math.random() * live.length)];
  }

  #record(tokens: Tokens, role: "admin" | "wallet"): void {
    const access = claimsOf(tokens.access_token);
    const refresh = claimsOf(tokens.refresh_token);
    const sid = String(access.sid);
    if (refresh.sid !== sid) this.unexpected.push(`tokens of one answer name two sessions: ${sid}, ${String(refresh.sid)}`);
    this.sessions.set(sid, { sid, sub: String(access.sub), role, access: tokens.access_token, refresh: tokens.refresh_token, refreshJti: String(refresh.jti), ended: false, busy: false });
  }

  async run(action: Action): Promise<void> {
    this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    switch (action) {
      case "wallet sign-in": {
        // A new wallet one time in three (a new binding); else one that signed in before.
        const algorithm = ALGORITHMS[Math.floor(Math.random() * ALGORITHMS.length)] as WalletAlgorithm;
        const known = this.wallets.filter((w) => w.algorithm === algorithm);
        const wallet = known.length === 0 || Math.random() < 1 / 3 ? newWallet(algorithm) : (known[Math.floor(Math.random() * known.length)] as Wallet);
        const issued = await this.send("POST", "/api/v1/auth/challenge", json({ address: wallet.address }));
        if (!this.expect(issued, [200], "challenge")) return;
        const { challenge } = issued.json<{ challenge: string }>();
        const signedIn = await this.send("POST", "/api/v1/auth/sign-in", json({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(challenge), challenge, algorithm }));
        if (!this.expect(signedIn, [200], `sign-in ${algorithm}`)) return;
        if (!this.bindings.has(wallet.address)) {
          this.bindings.set(wallet.address, wallet);
          this.wallets.push(wallet);
        }
        this.#record(signedIn.json<Tokens>(), "wallet");
        return;
      }
      case "admin login": {
        const answer = await this.send("POST", "/api/v1/auth/login", json({ email: Math.random() < 0.5 ? ADMIN_EMAIL : ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD }));
        if (this.expect(answer, [200], "login")) this.#record(answer.json<Tokens>(), "admin");
        return;
      }
      case "refresh": {
        const session = this.#pick();
        if (!session) return this.run("admin login");
        session.busy = true;
        try {
          const answer = await this.send("POST", "/api/v1/auth/refresh", json({ refresh_token: session.refresh }));
          if (!this.expect(answer, [200], "refresh")) return;
          const tokens = answer.json<Tokens>();
          const claims = claimsOf(tokens.refresh_token);
          if (claims.sid !== session.sid) this.unexpected.push(`refresh of ${session.sid} answered tokens of ${String(claims.sid)}`);
          Object.assign(session, { access: tokens.access_token, refresh: tokens.refresh_token, refreshJti: String(claims.jti) });
        } finally {
          session.busy = false;
        }
        return;
      }
      case "profile": {
        const session = this.#pick();
        if (!session) return this.run("wallet sign-in");
        session.busy = true;
        try {
          const answer = await this.send("GET", "/api/profile", { headers: { authorization: `Bearer ${session.access}` } });
          if (this.expect(answer, [200], "profile") && answer.json().subject !== session.sub) this.unexpected.push(`profile of ${session.sub} answered ${answer.body.slice(0, 100)}`);
        } finally {
          session.busy = false;
        }
        return;
      }
      case "logout": {
        const session = this.#pick();
        if (!session) return;
        session.busy = true;
        try {
          const byBearer = Math.random() < 0.5;
          const answer = byBearer
            ? await this.send("POST", "/api/v1/auth/logout", { headers: { authorization: `Bearer ${session.access}` } })
            : await this.send("POST", "/api/v1/auth/logout", json({ refresh_token: session.refresh }));
          if (this.expect(answer, [204], `logout (${byBearer ? "bearer" : "refresh token"})`)) session.ended = true;
          // Its access token is refused from now on.
          if (session.ended) this.expect(await this.send("GET", "/api/profile", { headers: { authorization: `Bearer ${session.access}` } }), [401], "profile after logout");
        } finally {
          session.busy = false;
        }
        return;
      }
      case "garbage":
        return this.#garbage();
    }
  }

  async #garbage(): Promise<void> {
    const ended = [...this.sessions.values()].find((s) => s.ended);
    const cases: [string, () => Promise<Answer>, number[]][] = [
      ["malformed JSON", () => this.send("POST", "/api/v1/auth/sign-in", { body: '{"address":', headers: { "content-type": "application/json" } }), [400]],
      ["JSON array body", () => this.send("POST", "/api/v1/auth/refresh", json([1, 2, 3])), [400]],
      ["wrong content type", () => this.send("POST", "/api/v1/auth/login", { body: "email=a&password=b", headers: { "content-type": "application/x-www-form-urlencoded" } }), [415]],
      ["no content type", () => this.send("POST", "/api/v1/auth/challenge", { body: '{"address":"0xabc"}' }), [415]],
      ["empty body", () => this.send("POST", "/api/v1/auth/challenge", { body: "", headers: { "content-type": "application/json" } }), [400]],
      ["bad address", () => this.send("POST", "/api/v1/auth/challenge", json({ address: "@@@" })), [400]],
      ["sign-in, bad hex", () => this.send("POST", "/api/v1/auth/sign-in", json({ address: "0xabc", public_key: "zz", signature: "00", challenge: "00", algorithm: "Ed25519" })), [400]],
      ["sign-in, unknown challenge", () => this.send("POST", "/api/v1/auth/sign-in", json({ address: "0xabc", public_key: "00".repeat(32), signature: "00".repeat(64), challenge: "0".repeat(64), algorithm: "Ed25519" })), [401]],
      ["login, wrong types", () => this.send("POST", "/api/v1/auth/login", json({ email: 42, password: ["x"] })), [401]],
      ["refresh, garbage token", () => this.send("POST", "/api/v1/auth/refresh", json({ refresh_token: "eyJhbGciOiJub25lIn0.e30." })), [401]],
      ["refresh, access token", () => this.send("POST", "/api/v1/auth/refresh", json({ refresh_token: [...this.sessions.values()][0]?.access ?? "x.y.z" })), [401]],
      ["bad bearer", () => this.send("GET", "/api/profile", { headers: { authorization: `Bearer ${randomBytes(30).toString("base64url")}.${randomBytes(30).toString("base64url")}.${randomBytes(30).toString("base64url")}` } }), [401]],
      ["no bearer", () => this.send("GET", "/api/profile"), [401]],
      ["basic auth", () => this.send("GET", "/api/profile", { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } }), [401]],
      ["wallet token on the admin route", () => this.send("GET", "/api/admin/dashboard", { headers: { authorization: `Bearer ${[...this.sessions.values()].find((s) => s.role === "wallet" && !s.ended)?.access ?? "x"}` } }), [401, 403]],
      ["logout, no token", () => this.send("POST", "/api/v1/auth/logout"), [400]],
      ["unknown path", () => this.send("GET", "/api/v1/auth/nope"), [404]],
      ["wrong method", () => this.send("DELETE", "/api/v1/auth/login"), [405]],
      ["body over the limit", () => this.send("POST", "/api/v1/auth/challenge", { body: Buffer.alloc(1_100_000, 0x20), headers: { "content-type": "application/json" } }), [413]],
      ["revoked session's refresh token", () => this.send("POST", "/api/v1/auth/refresh", json({ refresh_token: ended?.refresh ?? "x" })), [401]],
    ];
    const [kind, send, statuses] = cases[Math.floor(Math.random() * cases.length)] as (typeof cases)[number];
    this.garbageKinds.set(kind, (this.garbageKinds.get(kind) ?? 0) + 1);
    const answer = await send();
    if (this.expect(answer, statuses, `garbage: ${kind}`)) {
      let detail: unknown;
      try {
        detail = answer.json().detail;
      } catch {
        detail = undefined;
      }
      if (detail === undefined) this.unexpected.push(`garbage: ${kind}: ${answer.status} without a JSON detail: ${answer.body.slice(0, 100)}`);
    }
  }
}

function pickAction(): Action {
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [action, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return "profile";
}

// ---------------------------------------------------------------- the checks after the traffic

interface StoreCheck {
  sessionsChecked: number;
  bindingsChecked: number;
  lost: string[];
}

interface Row {
  [column: string]: unknown;
}
interface Database {
  prepare(sql: string): { all(): Row[] };
  close(): void;
}

/** Opens `<dataDir>/auth.db` read-only with the store's own driver (pico-server-auth's better-sqlite3). */
function openStore(dataDir: string): Database {
  const serverAuth = createRequire(import.meta.url).resolve("pico-server-auth/package.json");
  const BetterSqlite3 = createRequire(serverAuth)("better-sqlite3") as new (path: string, options: { readonly: boolean; fileMustExist: boolean }) => Database;
  return new BetterSqlite3(join(dataDir, "auth.db"), { readonly: true, fileMustExist: true });
}

function checkStore(dataDir: string, soak: Soak): StoreCheck {
  const db = openStore(dataDir);
  try {
    const lost: string[] = [];
    const families = new Map(db.prepare("SELECT id, sub, role, current_jti, revoked_at FROM refresh_families").all().map((row) => [row.id as string, row]));
    for (const session of soak.sessions.values()) {
      const row = families.get(session.sid);
      if (!row) lost.push(`session ${session.sid} (${session.role} ${session.sub}) is not in the store`);
      else if (row.sub !== session.sub || row.role !== session.role) lost.push(`session ${session.sid}: stored as ${String(row.role)} ${String(row.sub)}`);
      else if (session.ended && row.revoked_at === null) lost.push(`session ${session.sid} was logged out, but the store has it live`);
      else if (!session.ended && row.revoked_at !== null) lost.push(`session ${session.sid} is live, but the store has it revoked`);
      else if (!session.ended && row.current_jti !== session.refreshJti) lost.push(`session ${session.sid}: the store's current refresh token is not the last one handed out (a rotation was lost)`);
    }
    const bindings = new Map(db.prepare("SELECT address, algorithm, public_key FROM address_bindings").all().map((row) => [row.address as string, row]));
    for (const [address, wallet] of soak.bindings) {
      const row = bindings.get(address);
      if (!row) lost.push(`wallet binding ${address} is not in the store`);
      else if (row.algorithm !== wallet.algorithm || row.public_key !== wallet.publicKeyHex) lost.push(`wallet binding ${address} holds another key`);
    }
    return { sessionsChecked: soak.sessions.size, bindingsChecked: soak.bindings.size, lost };
  } finally {
    db.close();
  }
}

interface ApiCheck {
  refreshed: number;
  revokedRefused: number;
  walletsSignedIn: number;
  impostorsRefused: number;
  lost: string[];
}

/** After a restart on the same data dir: live sessions refresh, ended ones stay ended, bindings hold. */
async function checkThroughApi(server: Server, soak: Soak, concurrency: number): Promise<ApiCheck> {
  const result: ApiCheck = { refreshed: 0, revokedRefused: 0, walletsSignedIn: 0, impostorsRefused: 0, lost: [] };
  const tasks: (() => Promise<void>)[] = [];
  for (const session of soak.sessions.values()) {
    tasks.push(async () => {
      const answer = await call(server, "POST", "/api/v1/auth/refresh", json({ refresh_token: session.refresh }));
      if (!session.ended && answer.status === 200) result.refreshed++;
      else if (session.ended && answer.status === 401 && answer.json().detail === "session revoked; sign in again") result.revokedRefused++;
      else result.lost.push(`after the restart, refreshing ${session.ended ? "ended" : "live"} session ${session.sid}: ${answer.status} ${answer.body.slice(0, 120)}`);
    });
  }
  for (const wallet of soak.bindings.values()) {
    tasks.push(async () => {
      // The bound key still signs in; another key for the same address is refused.
      for (const [signer, impostor] of [[wallet, false], [{ ...newWallet(wallet.algorithm), address: wallet.address }, true]] as const) {
        const issued = await call(server, "POST", "/api/v1/auth/challenge", json({ address: wallet.address }));
        if (issued.status !== 200) {
          result.lost.push(`after the restart, a challenge for ${wallet.address}: ${issued.status}`);
          return;
        }
        const { challenge } = issued.json<{ challenge: string }>();
        const answer = await call(server, "POST", "/api/v1/auth/sign-in", json({ address: wallet.address, public_key: signer.publicKeyHex, signature: signer.sign(challenge), challenge, algorithm: wallet.algorithm }));
        if (!impostor && answer.status === 200) result.walletsSignedIn++;
        else if (impostor && answer.status === 401 && answer.json().detail === "address is bound to a different key") result.impostorsRefused++;
        else result.lost.push(`after the restart, ${impostor ? "another key" : "the bound key"} for ${wallet.address}: ${answer.status} ${answer.body.slice(0, 120)}`);
      }
    });
  }
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  }));
  return result;
}

// ---------------------------------------------------------------- main

const mib = (bytes: number | undefined) => (bytes === undefined || Number.isNaN(bytes) ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), "pico-soak-"));
  const failures: string[] = [];
  let server: Server | undefined;
  try {
    server = await startServer(dataDir);
    const rssStart = rssOf(server.child);
    const soak = new Soak(server, options.maxRequests);
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    const harnessErrors: string[] = [];
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline && soak.budgetLeft && harnessErrors.length === 0) {
          try {
            await soak.run(pickAction());
          } catch (error) {
            harnessErrors.push(error instanceof Error ? error.message : String(error));
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const rssEnd = rssOf(server.child);
    const serverErrors = server.log.filter((line) => /error|exception|unhandled/i.test(line));
    const firstExit = await stopServer(server);
    if (firstExit !== 0) failures.push(`the server exited with ${String(firstExit)} on SIGTERM`);

    const store = checkStore(dataDir, soak);
    server = await startServer(dataDir);
    const api = await checkThroughApi(server, soak, options.concurrency);
    const secondExit = await stopServer(server);
    if (secondExit !== 0) failures.push(`the restarted server exited with ${String(secondExit)} on SIGTERM`);
    server = undefined;

    const fiveXx = [...soak.statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
    if (fiveXx > 0) failures.push(`${fiveXx} answers were 5xx`);
    if (soak.unexpected.length > 0) failures.push(`${soak.unexpected.length} unexpected answers`);
    if (harnessErrors.length > 0) failures.push(`harness errors: ${harnessErrors.join("; ")}`);
    if (store.lost.length > 0) failures.push(`${store.lost.length} losses in the store`);
    if (api.lost.length > 0) failures.push(`${api.lost.length} losses seen through the API after a restart`);
    if (serverErrors.length > 0) failures.push(`${serverErrors.length} error lines in the server's log`);
    if (soak.sessions.size === 0 || soak.bindings.size === 0) failures.push("the soak created no sessions or no bindings: nothing was checked");

    const ended = [...soak.sessions.values()].filter((s) => s.ended).length;
    const lines = [
      `## Soak: ${options.seconds} s, ${options.concurrency} workers, seed app on ${HOST}`,
      "",
      "| metric | value |",
      "|---|---|",
      `| requests | ${soak.requests} in ${elapsed.toFixed(1)} s (${(soak.requests / elapsed).toFixed(0)}/s; limit ${options.maxRequests}) |`,
      `| by status | ${[...soak.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(", ")} |`,
      `| 5xx | ${fiveXx} |`,
      `| rate-limited (429) | ${soak.rateLimited} |`,
      `| unexpected answers | ${soak.unexpected.length} |`,
      `| actions | ${[...soak.actions].map(([a, n]) => `${a}: ${n}`).join(", ")} |`,
      `| server RSS at start / end (peak) | ${mib(rssStart?.rss)} / ${mib(rssEnd?.rss)} (${mib(rssEnd?.peak)}) |`,
      `| sessions created (ended by logout) | ${soak.sessions.size} (${ended}) |`,
      `| wallet bindings created | ${soak.bindings.size} (${ALGORITHMS.map((a) => `${a}: ${[...soak.bindings.values()].filter((w) => w.algorithm === a).length}`).join(", ")}) |`,
      `| store check (server stopped) | ${store.sessionsChecked} sessions, ${store.bindingsChecked} bindings; ${store.lost.length} lost |`,
      `| API check (server restarted on the data dir) | ${api.refreshed} live sessions refreshed, ${api.revokedRefused} ended ones refused, ${api.walletsSignedIn} wallets signed in again, ${api.impostorsRefused} other keys refused; ${api.lost.length} lost |`,
      `| result | ${failures.length === 0 ? "**pass**" : `**FAIL**: ${failures.join("; ")}`} |`,
    ];
    console.log(lines.join("\n"));
    const details = [...soak.unexpected, ...store.lost, ...api.lost, ...serverErrors].slice(0, 40);
    if (details.length > 0) console.log(`\n### Details\n\n${details.map((d) => `- ${d.replace(/\n/g, " ")}`).join("\n")}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    if (server) await stopServer(server).catch(() => undefined);
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: harness error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);


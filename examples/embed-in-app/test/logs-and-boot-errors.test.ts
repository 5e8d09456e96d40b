import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "embed-logs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

interface Run {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  /** Resolves with the URL once the server says it listens. */
  listening(): Promise<string>;
  kill(): void;
}
const running: Run[] = [];
afterEach(() => {
  for (const run of running.splice(0)) run.kill();
});

/** The example's main as an operator starts it: stdout and stderr pipes (not a terminal), its own data dir. */
function start(env: Record<string, string>, command: string[] = [process.execPath, main]): Run {
  const child = spawn(command[0] as string, command.slice(1), {
    env: { ...process.env, PORT: "0", SERVER_AUTH__DATA_DIR: join(root, `d${++dirs}`), LOG_LEVEL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const run: Run = {
    stdout: () => out,
    stderr: () => err,
    exited,
    async listening() {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
        if (url) return url;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not listen:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill: () => void child.kill("SIGKILL"),
  };
  running.push(run);
  return run;
}

const jsonLines = (text: string) => text.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);

/** Sends a chunked POST, then closes the connection in the middle of its body. */
function abortMidBody(url: string, path: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ema\r\n`);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
    socket.on("error", reject);
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("logs of the running example (a real process, stdout not a terminal)", () => {
  it("JSON lines on stdout; the generated password not shown (stderr is not a terminal), one line on stderr saying so, after the server listens; one access line per request with the echoed X-Request-Id", { timeout: 30_000 }, async () => {
    const run = start({});
    const url = await run.listening();
    await until("the password line", () => run.stderr().includes("Admin login:"));
    const res = await fetch(`${url}/api/profile`, { headers: { "X-Request-Id": "op-42" } });
    expect([res.status, res.headers.get("X-Request-Id")]).toStrictEqual([401, "op-42"]);
    await until("the access line", () => run.stdout().includes('"request_id":"op-42"'));

    expect(run.stdout().split("\n").filter((line) => line !== "" && !line.startsWith("{"))).toStrictEqual([]);
    expect(run.stderr()).toBe("Admin login: admin@example.com, password generated for this run and not shown (stderr is not a terminal); set SERVER_AUTH__ADMIN_PASSWORD to choose one, or SHOW_GENERATED_PASSWORD=1 to print it on stderr\n");
    const entries = jsonLines(run.stdout());
    expect(entries.some((e) => e.event === "boot.listening")).toBe(true);
    expect(entries.filter((e) => e.event === "http.request")).toStrictEqual([
      { level: "info", time: expect.any(String), pid: expect.any(Number), event: "http.request", method: "GET", route: "/api/profile", status: 401, duration_ms: expect.any(Number), request_id: "op-42", msg: "request" },
    ]);
  });

  it("SHOW_GENERATED_PASSWORD=1: the password printed once, on stderr, never on stdout", { timeout: 30_000 }, async () => {
    const run = start({ SHOW_GENERATED_PASSWORD: "1" });
    await run.listening();
    await until("the password line", () => run.stderr().includes("Admin login:"));
    const password = /^Admin login: admin@example\.com \/ ([\w-]{24}) \(generated for this run; set SERVER_AUTH__ADMIN_PASSWORD to choose one\)\n$/.exec(run.stderr())?.[1] as string;
    expect(password, run.stderr()).toMatch(/^[\w-]{24}$/);
    expect(run.stdout()).not.toContain(password);
    expect(run.stdout()).not.toContain("Admin login");
  });

  it("a client that cuts a chunked body is one debug line at LOG_LEVEL=debug, and nothing at info: no stack, no error", { timeout: 30_000 }, async () => {
    for (const level of ["debug", "info"]) {
      // With a key encryption key: without one, boot warns (auth.keys_unencrypted), and this test wants no warning at all.
      const run = start({ LOG_LEVEL: level, SERVER_AUTH__ADMIN_PASSWORD: "a-long-test-password", SERVER_AUTH__KEY_ENCRYPTION_KEY: "11".repeat(32) });
      const url = await run.listening();
      for (const path of ["/api/v1/auth/login", "/api/v1/auth/sign-in", "/api/v1/auth/refresh"]) await abortMidBody(url, path);
      // A last request, answered after the aborted ones were handled: its line closes the window.
      await fetch(`${url}/api/v1/auth/jwks`, { headers: { "X-Request-Id": "last" } });
      await until("the last access line", () => run.stdout().includes('"request_id":"last"'));
      await new Promise((r) => setTimeout(r, 200));
      const entries = jsonLines(run.stdout());
      const aborted = entries.filter((e) => e.event === "http.client_aborted");
      if (level === "debug") {
        expect(aborted.map((e) => [e.level, e.route, e.msg])).toStrictEqual([
          ["debug", "/api/v1/auth/login", "client aborted the request"],
          ["debug", "/api/v1/auth/sign-in", "client aborted the request"],
          ["debug", "/api/v1/auth/refresh", "client aborted the request"],
        ]);
      } else {
        expect(aborted).toStrictEqual([]);
      }
      expect(entries.filter((e) => e.level === "error" || e.level === "warn"), level).toStrictEqual([]);
      expect(run.stdout() + run.stderr()).not.toMatch(/\n\s+at |Error: aborted|abortIncoming|ECONNRESET|Unhandled/);
      run.kill();
    }
  });
});

describe("boot errors of the example (a real process)", () => {
  let blocker: Server | undefined;
  afterEach(() => void blocker?.close());

  async function failedBoot(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const run = start(env);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  it("invalid settings: one line per problem on stderr, exit code 1, nothing on stdout (no password, no log line), no stack", { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await failedBoot({ SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES: "abc", SERVER_AUTH__ISSUERR: "x" });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      'pico-boot: cannot start: invalid configuration: server_auth.issuerr: unknown key from env SERVER_AUTH__ISSUERR; did you mean "SERVER_AUTH__ISSUER"?\n' +
        'pico-boot: cannot start: invalid configuration: server_auth.access_token_expire_minutes: expected integer, got "abc" (from env SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES)\n',
    );
  });

  it("the port in use: the message names PORT and HOST; nothing printed before it, though the store was created and the password generated", { timeout: 30_000 }, async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => (blocker as Server).listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    const { code, stdout, stderr } = await failedBoot({ PORT: String(port), HOST: "127.0.0.1" });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`pico-boot: cannot start: Cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens there); choose another with PORT, or another address with HOST\n`);
  });

  it("web problems found by a component's constructor: one prefixed line each, both reported together", { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await failedBoot({ WEB__TRUSTED_PROXIES: "nope", WEB__METRICS: "1", WEB__METRICS_BEARER: "two words" });
    expect([code, stdout]).toStrictEqual([1, ""]);
    expect(stderr).toBe(
      'pico-boot: cannot start: invalid configuration: web.trusted_proxies: item 0 expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, private, uniquelocal; got "nope" (config web.trusted_proxies, env WEB__TRUSTED_PROXIES)\n' +
        "pico-boot: cannot start: invalid configuration: web.metrics_bearer: expected a token without spaces (env WEB__METRICS_BEARER), got an empty or spaced value\n",
    );
  });

  it("an env file that cannot be read (PICO_BOOT_ENV_FILE): one line naming it, exit code 1, no stack", { timeout: 30_000 }, async () => {
    const missing = join(root, "missing.env");
    const { code, stdout, stderr } = await failedBoot({ PICO_BOOT_ENV_FILE: missing });
    expect([code, stdout, stderr]).toStrictEqual([1, "", `pico-boot: cannot start: Cannot read the env file ${missing} (the "envFile" option or PICO_BOOT_ENV_FILE): no such file\n`]);
  });

  it("LOG_LEVEL=debug adds the stack (and what the boot logged); a bad LOG_LEVEL is a boot error naming it", { timeout: 30_000 }, async () => {
    const debug = await failedBoot({ LOG_LEVEL: "debug", SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES: "abc" });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^pico-boot: cannot start: invalid configuration: server_auth\.access_token_expire_minutes: expected integer, got "abc" .*\nConfigurationError: Invalid configuration:\n/);
    expect(debug.stderr).toMatch(/\n\s+at bindSettings /);
    expect(debug.stdout).not.toContain("Admin login");
    expect(debug.stderr).not.toContain("Admin login");

    const bad = await failedBoot({ LOG_LEVEL: "verbose" });
    expect([bad.code, bad.stdout, bad.stderr]).toStrictEqual([1, "", 'pico-boot: cannot start: LOG_LEVEL expected one of debug, info, warn, error, silent, got "verbose"\n']);
  });

  it("on a terminal the lines are readable, not JSON", { timeout: 30_000 }, async () => {
    // script(1) gives the process a pseudo-terminal as stdout.
    const run = start({}, ["script", "-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(main)}`, "/dev/null"]);
    await run.listening();
    const line = run.stdout().split("\n").find((l) => l.includes("listening on")) as string;
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*pico-boot: listening on http/);
    expect(run.stdout()).not.toContain('{"level"');
    // Its stderr is the terminal too: the generated password is shown there.
    await until("the password line", () => /Admin login: admin@example\.com \/ [\w-]{24} \(generated/.test(run.stdout()));
  });
});

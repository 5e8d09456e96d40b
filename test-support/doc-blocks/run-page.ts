import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { DocCommand } from "./commands.js";

export interface PageRun {
  /** What went wrong, one entry per failed command or check; empty when the page works as written. */
  readonly failures: string[];
  /** Everything the page's shell printed, for the failure message. */
  readonly output: string;
}

/** Setup commands that the docs run performs once: they are idempotent and slow. */
const ONCE = ["--yes pnpm@10.34.8 install", "--yes pnpm@10.34.8 build"];
const STOP_GRACE_SECONDS = 10;

/**
 * Runs a page's commands in one bash (variables carry over, as in a reader's terminal), servers in
 * their own process groups, and checks each stated output. `work` receives the script and the logs;
 * `env` is added to the environment the commands see (the ports' variables, see ports.ts).
 */
export async function runPage(commands: readonly DocCommand[], cwd: string, repo: string, work: string, timeoutMs: number, env: Readonly<Record<string, string>> = {}): Promise<PageRun> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const script = [prelude(work, repo), ...commands.map((c, i) => step(c, i, commands, work))].join("\n");
  writeFileSync(join(work, "page.sh"), script);
  const { code, output } = await bash(join(work, "page.sh"), cwd, timeoutMs, env);
  killLeftovers(join(work, "servers.pids"));
  const failures: string[] = [];
  if (code !== 0) {
    const current = existsSync(join(work, "current")) ? readFileSync(join(work, "current"), "utf8") : "(before the first command)";
    failures.push(`the shell stopped with ${code} at ${current}`);
  }
  commands.forEach((c, i) => {
    const actual = join(work, `actual-${i}`);
    if (c.expect && existsSync(actual)) failures.push(...compare(c, readFileSync(actual, "utf8")));
  });
  if (existsSync(join(work, "stuck"))) failures.push(readFileSync(join(work, "stuck"), "utf8"));
  for (const log of readdirSync(work).filter((f) => f.startsWith("server-") && f.endsWith(".log"))) {
    if (failures.length > 0) failures.push(`--- ${log} ---\n${readFileSync(join(work, log), "utf8").slice(-4000)}`);
  }
  return { failures, output };
}

function prelude(work: string, repo: string): string {
  const w = JSON.stringify(work);
  return String.raw`set -euo pipefail
set -a
__work=${w}
__repo=${JSON.stringify(repo)}
__servers=()
# pnpm commands act on the workspace: from a scratch copy, that is still the real repository.
npx() {
  case "$*" in
    ${ONCE.map((o) => JSON.stringify(o)).join("|")})
      local marker="$__work/../once-$(printf '%s' "$*" | tr -c 'a-z0-9' _)"
      [ -e "$marker" ] && return 0
      (cd "$__repo" && command npx "$@") && touch "$marker" ;;
    "--yes pnpm@"*) (cd "$__repo" && command npx "$@") ;;
    *) command npx "$@" ;;
  esac
}
__stop() {
  for pid in "${"$"}{__servers[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || continue
    for _ in $(seq 1 ${STOP_GRACE_SECONDS * 20}); do kill -0 -- "-$pid" 2>/dev/null || continue 2; sleep 0.05; done
    echo "a server (process group $pid) was still running ${STOP_GRACE_SECONDS} s after SIGTERM" >> "$__work/stuck"
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap __stop EXIT
trap 'exit 143' TERM
__wait_ports() {
  local pid=$1; shift
  for port in "$@"; do
    for _ in $(seq 1 600); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue 2
      kill -0 "$pid" 2>/dev/null || { echo "the server exited before port $port opened" >&2; return 1; }
      sleep 0.05
    done
    echo "port $port did not open within 30 s" >&2; return 1
  done
}`;
}

/** The bash for one command: run it, start it as a server, or capture its output for the check. */
function step(c: DocCommand, index: number, all: readonly DocCommand[], work: string): string {
  const where = `printf '%s' ${shellQuote(`line ${c.line}: ${c.command}`)} > "$__work/current"`;
  if (c.server) {
    writeFileSync(join(work, `server-${index}.sh`), `${c.command}\n`);
    const next = all.findIndex((later, i) => i > index && later.server);
    const ports = portsNamed(all.slice(index, next < 0 ? undefined : next));
    return `${where}\nsetsid bash "$__work/server-${index}.sh" > "$__work/server-${index}.log" 2>&1 &\n__servers+=($!)\necho $! >> "$__work/servers.pids"\n__wait_ports $! ${ports.join(" ")}`;
  }
  // "|| exit": set -e alone lets a failure inside "a && b" pass unnoticed.
  if (!c.expect) return `${where}\n${c.command} || exit $?`;
  let command = c.command;
  if (c.expect.status !== undefined) {
    if (!/^curl\s/.test(command) || /[|;&]/.test(command.replace(/'[^']*'|"[^"]*"/g, ""))) {
      throw new Error(`line ${c.line}: a status can be checked only on a single curl command, not on: ${command}`);
    }
    command += ` -w '\\n%{http_code}'`;
  }
  return `${where}\n__out=$(${command})\nprintf '%s' "$__out" > "$__work/actual-${index}"`;
}

function compare(c: DocCommand, actual: string): string[] {
  const expected = c.expect ?? {};
  let body = actual;
  const failures: string[] = [];
  if (expected.status !== undefined) {
    const cut = actual.lastIndexOf("\n");
    const status = Number(actual.slice(cut + 1));
    body = cut < 0 ? "" : actual.slice(0, cut);
    if (status !== expected.status) failures.push(`line ${c.line}: expected HTTP ${expected.status}, got ${status}: ${c.command}\n  body: ${body}`);
  }
  if ("body" in expected) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = Symbol("not JSON");
    }
    if (!isDeepStrictEqual(parsed, expected.body)) failures.push(`line ${c.line}: expected ${JSON.stringify(expected.body)}\n  got ${body.trim()}\n  from ${c.command}`);
  }
  return failures;
}

/** The loopback ports a server line and the commands up to the next server name: it is up when all accept. */
function portsNamed(commands: readonly DocCommand[]): number[] {
  const ports = new Set<number>();
  for (const { command, comment } of commands) {
    for (const m of `${command} ${comment}`.matchAll(/(?:localhost|127\.0\.0\.1):(\d{2,5})\b/g)) ports.add(Number(m[1]));
  }
  return [...ports];
}

/** After a timeout the shell may not have stopped its servers: nothing started by a page outlives it. */
function killLeftovers(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  for (const pid of readFileSync(pidFile, "utf8").split("\n").filter(Boolean)) {
    try {
      process.kill(-Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bash(script: string, cwd: string, timeoutMs: number, extra: Readonly<Record<string, string>>): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PORT|HOST|SERVER_AUTH__.*|AUTH_CLIENT__.*)$/.test(k)));
  // Pages run in scratch copies of the repository: a developer's own .env must not change what they print.
  env.PICO_BOOT_ENV_FILE = "off";
  Object.assign(env, extra);
  const child = spawn("bash", [script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

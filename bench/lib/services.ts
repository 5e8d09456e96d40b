/**
 * The machine's PostgreSQL and Redis for the scale section: whether they answer, a database and a key
 * prefix of the run's own, removed when the run ends. The servers themselves are never started or
 * stopped here. The bench is run by hand: a missing service skips what needs it, with a line saying so.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/** The project machines' PostgreSQL (trust auth) and Redis; PICO_BENCH_POSTGRES_URL / PICO_BENCH_REDIS_URL point elsewhere. */
export const POSTGRES_URL = process.env.PICO_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.PICO_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Why a service cannot be used, or undefined when it answers. */
export function postgresProblem(): string | undefined {
  const { hostname, port } = new URL(POSTGRES_URL);
  const ready = spawnSync("pg_isready", ["-q", "-h", hostname, "-p", port || "5432"]);
  if (ready.error) return "pg_isready not found (PostgreSQL client tools are not installed)";
  if (ready.status !== 0) return `PostgreSQL does not answer on ${hostname}:${port || 5432} (pg_isready)`;
  const psql = spawnSync("psql", [POSTGRES_URL, "-qAtc", "SELECT 1"], { encoding: "utf8" });
  if (psql.error) return "psql not found";
  if (psql.status !== 0) return `psql cannot connect: ${psql.stderr.trim().split("\n")[0]}`;
  return undefined;
}

export function redisProblem(): string | undefined {
  const { hostname, port } = new URL(REDIS_URL);
  const ping = spawnSync("redis-cli", ["-h", hostname, "-p", port || "6379", "ping"], { encoding: "utf8" });
  if (ping.error) return "redis-cli not found";
  if (ping.stdout?.trim() !== "PONG") return `Redis does not answer on ${hostname}:${port || 6379}`;
  return undefined;
}

function psql(url: string, sql: string): string {
  const result = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr}`);
  return result.stdout.trim();
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** Tables of pico-server-auth's PostgreSQL store in it: proves that a server used it. */
  storeTables(): number;
  drop(): void;
}

/** A database of the run's own on the machine's PostgreSQL; `drop()` ends its connections and drops it. */
export function benchDatabase(): BenchDatabase {
  const name = `pico_bench_${randomBytes(5).toString("hex")}`;
  psql(POSTGRES_URL, `CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    storeTables: () => Number(psql(url.toString(), "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'pico\\_auth\\_%'")),
    drop: () => void psql(POSTGRES_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface BenchRedisPrefix {
  readonly prefix: string;
  /** Keys under the prefix now: proves that a server used it. */
  keys(): number;
  clean(): void;
}

/** A key prefix of the run's own on the machine's Redis; `clean()` deletes its keys. */
export function benchRedisPrefix(): BenchRedisPrefix {
  const prefix = `pico-bench:${randomBytes(5).toString("hex")}:`;
  const { hostname, port } = new URL(REDIS_URL);
  const cli = ["-h", hostname, "-p", port || "6379"];
  const scan = () => spawnSync("redis-cli", [...cli, "--scan", "--pattern", `${prefix}*`], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  return {
    prefix,
    keys: () => scan().length,
    clean: () => {
      const keys = scan();
      for (let i = 0; i < keys.length; i += 500) spawnSync("redis-cli", [...cli, "del", ...keys.slice(i, i + 500)], { stdio: "ignore" });
    },
  };
}

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SHARED_REDIS, temporaryDatabase, temporaryRedisPrefix } from "../../../../test-support/services.js";
import { startInstance } from "../../../../test-support/instances.js";
import type { Instance } from "../../../../test-support/instances.js";

/** Per test: several processes boot, and some tests measure over many rounds or wait out an outage. */
export const PROOF_TIMEOUT_MS = 120_000;

/** How often instances reread keys and revocations without a signal: stated, not left to the default, since bounds are derived from it. */
export const SYNC_INTERVAL_MS = 500;

export interface DeploymentOptions {
  /** Another PostgreSQL server than the shared one (a fault test's own cluster): its URL, database `postgres`. */
  readonly postgresServer?: string;
  /** Another Redis than the shared one (a fault test's own). */
  readonly redisUrl?: string;
  /** Settings every instance gets, over the deployment's. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What a deployment owns on the servers and on disk, made when its first instance starts. */
interface Resources {
  readonly database: ReturnType<typeof temporaryDatabase>;
  readonly redisPrefix: ReturnType<typeof temporaryRedisPrefix>;
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * One deployment of the seed app, as production scales it out: every instance on one PostgreSQL
 * database and one Redis key prefix of this test's own, sharing an issuer. `start` boots instances
 * (several at once, as a scale-up does); `close` kills them all, drops the database and deletes the
 * keys, and is safe to call whatever failed before (afterAll). Nothing is created before the first
 * `start`: a file whose suite is skipped (no PostgreSQL here) touches no server.
 */
export class Deployment {
  readonly instances: Instance[] = [];
  readonly #options: DeploymentOptions;
  #resources: Resources | undefined;

  constructor(options: DeploymentOptions = {}) {
    this.#options = options;
  }

  #open(): Resources {
    if (this.#resources) return this.#resources;
    const redisUrl = this.#options.redisUrl ?? SHARED_REDIS;
    const database = temporaryDatabase(this.#options.postgresServer);
    const redisPrefix = temporaryRedisPrefix(redisUrl);
    // Nothing of PostgreSQL's state goes there; a file-backed fast state would, so it is the test's own.
    const dataDir = mkdtempSync(join(tmpdir(), "pico-scale-out-"));
    const env = {
      SERVER_AUTH__STORE: "postgres",
      SERVER_AUTH__POSTGRES_URL: database.url,
      SERVER_AUTH__REDIS_URL: redisUrl,
      SERVER_AUTH__REDIS_KEY_PREFIX: redisPrefix.prefix,
      SERVER_AUTH__SYNC_INTERVAL_MS: String(SYNC_INTERVAL_MS),
      SERVER_AUTH__DATA_DIR: dataDir,
      // One test client asks for many challenges and refreshes; the files about limits lower these again.
      SERVER_AUTH__CHALLENGES_PER_CLIENT: "1000000",
      SERVER_AUTH__REFRESHES_PER_CLIENT: "1000000",
      ...this.#options.env,
    };
    this.#resources = { database, redisPrefix, dataDir, env };
    return this.#resources;
  }

  /** Boots `count` instances at once, each with `env` over the deployment's. */
  async start(count: number, env: Readonly<Record<string, string>> = {}): Promise<Instance[]> {
    const shared = this.#open().env;
    const started = await Promise.allSettled(Array.from({ length: count }, () => startInstance({ ...shared, ...env })));
    for (const result of started) if (result.status === "fulfilled") this.instances.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    return started.map((result) => (result as PromiseFulfilledResult<Instance>).value);
  }

  /** Rows of `sql` on the deployment's database, each a list of column texts (psql -At). */
  query(sql: string): string[][] {
    const result = spawnSync("psql", [this.#open().database.url, "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\t", "-c", sql], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr}`);
    return result.stdout.split("\n").filter((line) => line !== "").map((line) => line.split("\t"));
  }

  /** Every instance's output, for failure messages. */
  output(): string {
    return this.instances.map((instance) => `--- ${instance.url} (pid ${instance.pid})\n${instance.output()}`).join("\n");
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.kill()));
    const resources = this.#resources;
    if (!resources) return;
    try {
      resources.database.drop();
    } finally {
      resources.redisPrefix.clean();
      rmSync(resources.dataDir, { recursive: true, force: true });
    }
  }
}

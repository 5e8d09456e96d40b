#!/usr/bin/env node
/**
 * `pico-auth-copy-store --from <data_dir or auth.db> [--to <postgres_url>] [--force]`: copies a SQLite
 * store into PostgreSQL (copy-from-sqlite.ts). Without --to, the URL comes from
 * SERVER_AUTH__POSTGRES_URL, so its password need not appear on a command line. Exit codes: 0 copied,
 * 1 failed (nothing written), 2 wrong usage.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { copySqliteToPostgres } from "./copy-from-sqlite.js";
import { redactPostgresUrl } from "./url.js";

const USAGE = `usage: pico-auth-copy-store --from <data_dir or auth.db> [--to <postgres_url>] [--force]
  Copies a pico-server-auth SQLite store into PostgreSQL, in one transaction, and checks the counts.
  --from   the SQLite store: its data_dir (server_auth.data_dir) or the auth.db inside it
  --to     postgres://user:password@host:port/database (default: env SERVER_AUTH__POSTGRES_URL)
  --force  replace what the PostgreSQL store holds (refused otherwise when it is not empty)
Stop every instance using the SQLite store first.`;

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the command on `argv` (without node and the script); returns the exit code. */
export async function runCopyStore(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  let values: { from?: string; to?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { from: { type: "string" }, to: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`pico-auth-copy-store: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const to = values.to ?? env.SERVER_AUTH__POSTGRES_URL;
  if (values.from === undefined || to === undefined) {
    io.err(`pico-auth-copy-store: ${values.from === undefined ? "--from" : "--to (or env SERVER_AUTH__POSTGRES_URL)"} is required\n${USAGE}`);
    return 2;
  }
  try {
    const report = await copySqliteToPostgres(values.from, to, { force: values.force === true });
    io.out(
      `copied ${values.from} to ${redactPostgresUrl(to)}: ${report.signingKeys} signing keys, ${report.bindings} address bindings, ${report.families} sessions, ` +
        `${report.refreshTokens} refresh tokens, ${report.accessTokens} access tokens, ${report.feedEntries} revocation feed entries, ` +
        `${report.adminCredential} admin credential, ${report.meta} store records; counts verified`,
    );
    return 0;
  } catch (error) {
    // Messages of this package never hold the URL's password; the driver's might hold its host only.
    io.err(`pico-auth-copy-store: nothing was copied: ${(error as Error).message}`);
    return 1;
  }
}

/** Whether this file is the program node runs (through a bin symlink too), not a module imported by another. */
function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const io: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };
  process.exitCode = await runCopyStore(process.argv.slice(2), process.env, io);
}

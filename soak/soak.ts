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
 *
 * The parts: options.ts, server.ts (the seed app child), http.ts, wallet.ts, traffic.ts (the
 * traffic's state), mix.ts and traffic-*.ts (one file per kind of traffic), verify-store.ts,
 * verify-api.ts, report.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newAgent } from "./http.js";
import { runWorkers } from "./mix.js";
import { parseOptions } from "./options.js";
import { fiveXxOf, printReport } from "./report.js";
import { newAdminPassword, rssOf, startServer, stopServer } from "./server.js";
import type { Server } from "./server.js";
import { Traffic } from "./traffic.js";
import { checkThroughApi } from "./verify-api.js";
import { checkStore } from "./verify-store.js";

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const adminPassword = newAdminPassword();
  const agent = newAgent();
  const dataDir = mkdtempSync(join(tmpdir(), "pico-soak-"));
  const failures: string[] = [];
  let server: Server | undefined;
  try {
    server = await startServer(dataDir, adminPassword, agent);
    const rssStart = rssOf(server.child);
    const traffic = new Traffic(server, options.maxRequests, adminPassword);
    const started = performance.now();
    const harnessErrors = await runWorkers(traffic, options.concurrency, started + options.seconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    const rssEnd = rssOf(server.child);
    const serverErrors = server.log.filter((line) => /error|exception|unhandled/i.test(line));
    const firstExit = await stopServer(server);
    if (firstExit !== 0) failures.push(`the server exited with ${String(firstExit)} on SIGTERM`);

    const store = checkStore(dataDir, traffic);
    server = await startServer(dataDir, adminPassword, agent);
    const api = await checkThroughApi(server, traffic, options.concurrency);
    const secondExit = await stopServer(server);
    if (secondExit !== 0) failures.push(`the restarted server exited with ${String(secondExit)} on SIGTERM`);
    server = undefined;

    const fiveXx = fiveXxOf(traffic.statuses);
    if (fiveXx > 0) failures.push(`${fiveXx} answers were 5xx`);
    if (traffic.unexpected.length > 0) failures.push(`${traffic.unexpected.length} unexpected answers`);
    if (harnessErrors.length > 0) failures.push(`harness errors: ${harnessErrors.join("; ")}`);
    if (store.lost.length > 0) failures.push(`${store.lost.length} losses in the store`);
    if (api.lost.length > 0) failures.push(`${api.lost.length} losses seen through the API after a restart`);
    if (serverErrors.length > 0) failures.push(`${serverErrors.length} error lines in the server's log`);
    if (traffic.sessions.size === 0 || traffic.bindings.size === 0) failures.push("the soak created no sessions or no bindings: nothing was checked");

    printReport({ options, elapsed, traffic, rssStart, rssEnd, store, api, serverErrors, failures });
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

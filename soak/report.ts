/** The Markdown summary on stdout: one table, then the first details of anything that went wrong. */
import type { Options } from "./options.js";
import { HOST } from "./server.js";
import type { Rss } from "./server.js";
import type { Traffic } from "./traffic.js";
import type { ApiCheck } from "./verify-api.js";
import type { StoreCheck } from "./verify-store.js";
import { WALLET_ALGORITHMS as ALGORITHMS } from "../bench/lib/wallets.js";

export interface Outcome {
  readonly options: Options;
  /** Seconds the traffic ran. */
  readonly elapsed: number;
  readonly traffic: Traffic;
  readonly rssStart: Rss | undefined;
  readonly rssEnd: Rss | undefined;
  readonly store: StoreCheck;
  readonly api: ApiCheck;
  readonly serverErrors: readonly string[];
  readonly failures: readonly string[];
}

export function fiveXxOf(statuses: ReadonlyMap<number, number>): number {
  return [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
}

const mib = (bytes: number | undefined) => (bytes === undefined || Number.isNaN(bytes) ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

export function printReport({ options, elapsed, traffic, rssStart, rssEnd, store, api, serverErrors, failures }: Outcome): void {
  const ended = [...traffic.sessions.values()].filter((s) => s.ended).length;
  const lines = [
    `## Soak: ${options.seconds} s, ${options.concurrency} workers, seed app on ${HOST}`,
    "",
    "| metric | value |",
    "|---|---|",
    `| requests | ${traffic.requests} in ${elapsed.toFixed(1)} s (${(traffic.requests / elapsed).toFixed(0)}/s; limit ${options.maxRequests}) |`,
    `| by status | ${[...traffic.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(", ")} |`,
    `| 5xx | ${fiveXxOf(traffic.statuses)} |`,
    `| rate-limited (429) | ${traffic.rateLimited} |`,
    `| unexpected answers | ${traffic.unexpected.length} |`,
    `| actions | ${[...traffic.actions].map(([a, n]) => `${a}: ${n}`).join(", ")} |`,
    `| server RSS at start / end (peak) | ${mib(rssStart?.rss)} / ${mib(rssEnd?.rss)} (${mib(rssEnd?.peak)}) |`,
    `| sessions created (ended by logout) | ${traffic.sessions.size} (${ended}) |`,
    `| wallet bindings created | ${traffic.bindings.size} (${ALGORITHMS.map((a) => `${a}: ${[...traffic.bindings.values()].filter((w) => w.algorithm === a).length}`).join(", ")}) |`,
    `| store check (server stopped) | ${store.sessionsChecked} sessions, ${store.bindingsChecked} bindings; ${store.lost.length} lost |`,
    `| API check (server restarted on the data dir) | ${api.refreshed} live sessions refreshed, ${api.revokedRefused} ended ones refused, ${api.walletsSignedIn} wallets signed in again, ${api.impostorsRefused} other keys refused; ${api.lost.length} lost |`,
    `| result | ${failures.length === 0 ? "**pass**" : `**FAIL**: ${failures.join("; ")}`} |`,
  ];
  console.log(lines.join("\n"));
  const details = [...traffic.unexpected, ...store.lost, ...api.lost, ...serverErrors].slice(0, 40);
  if (details.length > 0) console.log(`\n### Details\n\n${details.map((d) => `- ${d.replace(/\n/g, " ")}`).join("\n")}`);
}

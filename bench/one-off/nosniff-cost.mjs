/**
 * What X-Content-Type-Options: nosniff costs on the cached GET /api/profile of the seed app, by
 * where it is set (see nosniff-server.mjs). Three servers pinned to core 0, autocannon here on the
 * last core; ROUNDS interleaved rounds of SECONDS each; per round, each variant's req/s over the
 * floor's; the median of those same-round ratios. Also the server's CPU time per request (from
 * /proc/<pid>/stat), which other load on the machine disturbs much less than req/s.
 *   pnpm build && node bench/one-off/nosniff-cost.mjs   (ROUNDS=7 SECONDS=5 by default)
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SECONDS = Number(process.env.SECONDS ?? 5);
const VARIANTS = (process.env.VARIANTS ?? "none,listener,middleware,middleware-before").split(",");
/** VARIANTS=...,cors+origin: the cors server, requests with an Origin header (a listed one). */
const serverOf = (v) => v.replace("+origin", "");
const extraHeaders = (v) => (v.endsWith("+origin") ? { origin: "https://spa.example" } : {});
const last = availableParallelism() - 1;
spawnSync("taskset", ["-a", "-p", "-c", String(last), String(process.pid)], { stdio: "ignore" });

const servers = {};
for (const variant of new Set(VARIANTS.map(serverOf))) {
  const child = spawn("taskset", ["-c", "0", process.execPath, fileURLToPath(new URL("nosniff-server.mjs", import.meta.url))], { env: { ...process.env, VARIANT: variant }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve) => child.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  servers[variant] = { child, port };
}
const base = (v) => `http://127.0.0.1:${servers[serverOf(v)].port}`;
// The same issuer key would differ per process: log in on each.
const tokens = {};
for (const v of VARIANTS) {
  const res = await fetch(`${base(v)}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@example.com", password: "bench-password-123" }) });
  tokens[v] = (await res.json()).access_token;
  const check = await fetch(`${base(v)}/api/profile`, { headers: { authorization: `Bearer ${tokens[v]}` } });
  console.log(v, check.status, "nosniff:", check.headers.get("x-content-type-options"));
}

/** utime + stime of a process, in clock ticks (100 per second on Linux). */
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);
};
const run = (v, seconds) =>
  new Promise((resolve, reject) =>
    autocannon({ url: `${base(v)}/api/profile`, connections: 50, duration: seconds, headers: { authorization: `Bearer ${tokens[v]}`, ...extraHeaders(v) } }, (err, result) => (err ? reject(err) : resolve(result))),
  );
for (const v of VARIANTS) await run(v, 2); // warm-up
const ratios = Object.fromEntries(VARIANTS.slice(1).map((v) => [v, []]));
const rps = Object.fromEntries(VARIANTS.map((v) => [v, []]));
const cpuUs = Object.fromEntries(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
  const got = {};
  for (const v of order) {
    const before = cpuTicks(servers[serverOf(v)].child.pid);
    const result = await run(v, SECONDS);
    cpuUs[v].push(((cpuTicks(servers[serverOf(v)].child.pid) - before) * 10_000) / result.requests.total);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${v}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    got[v] = result.requests.average;
    rps[v].push(got[v]);
  }
  for (const v of VARIANTS.slice(1)) ratios[v].push(got[v] / got.none);
  console.log(`round ${round + 1}: ${VARIANTS.map((v) => `${v} ${got[v].toFixed(0)} req/s`).join(", ")}`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const v of VARIANTS.slice(1)) {
  console.log(`${v}: median same-round ratio ${median(ratios[v]).toFixed(3)} (${((1 - median(ratios[v])) * 100).toFixed(1)} % slower); ratios ${ratios[v].map((r) => r.toFixed(3)).join(" ")}`);
}
console.log(`median server CPU per request: ${VARIANTS.map((v) => `${v} ${median(cpuUs[v]).toFixed(1)} µs`).join(", ")}`);
console.log(`median req/s: ${VARIANTS.map((v) => `${v} ${median(rps[v]).toFixed(0)}`).join(", ")}`);
for (const { child } of Object.values(servers)) child.kill("SIGTERM");

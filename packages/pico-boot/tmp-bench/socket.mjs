// The seed app's cached GET /api/profile over a real socket: base (main before this branch) vs this branch at LOG_LEVEL=warn and info.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createServer } from "node:net";
const freePort = () => new Promise((resolve) => { const srv = createServer().listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); }); });

const variants = [
  ["base", "/tmp/logs-helper/base/examples/embed-in-app/dist/main.js", {}],
  ["warn", "/work/wt/logs/examples/embed-in-app/dist/main.js", { LOG_LEVEL: "warn" }],
  ["info", "/work/wt/logs/examples/embed-in-app/dist/main.js", { LOG_LEVEL: "info" }],
  ["noopid", "/work/wt/logs/examples/embed-in-app/dist/main.js", { LOG_LEVEL: "warn", NOOP_ID: "1" }],
];
const ROUNDS = Number(process.env.ROUNDS ?? 7), SECONDS = Number(process.env.SECONDS_PER ?? 3);
const servers = [];
for (const [name, main, env] of variants) {
  const port = await freePort();
  const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: String(port), SERVER_AUTH__DATA_DIR: mkdtempSync(join(tmpdir(), "lb-")), SERVER_AUTH__ADMIN_PASSWORD: "a-long-bench-password", ...env }, stdio: ["ignore", "pipe", "inherit"] });
  // stdout is drained and dropped: like a pipe to a log shipper that keeps up.
  child.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  for (;;) { try { await fetch(`${url}/api/v1/auth/jwks`); break; } catch { await new Promise((r) => setTimeout(r, 100)); } }
  const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@example.com", password: "a-long-bench-password" }) });
  const { access_token } = await login.json();
  servers.push({ name, url, child, token: access_token });
  console.error(`started ${name} at ${url}, token ${String(access_token).length} chars`);
}
const run = (s, seconds) => autocannon({ url: `${s.url}/api/profile`, headers: { authorization: `Bearer ${s.token}` }, connections: 50, pipelining: 1, duration: seconds });
for (const s of servers) await run(s, 2);
const rps = Object.fromEntries(servers.map((s) => [s.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < servers.length; k++) {
    const s = servers[(r + k) % servers.length];
    const res = await run(s, SECONDS);
    if (res.non2xx) throw new Error(`${s.name}: ${res.non2xx} non-2xx`);
    rps[s.name].push(res.requests.average);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [name, list] of Object.entries(rps)) console.log(`${name}: median ${Math.round(median(list))} req/s (${list.map(Math.round).join(" ")})`);
for (const name of ["warn", "info", "noopid"]) console.log(`${name} / base (median of same-round ratios): ${median(rps[name].map((x, i) => x / rps.base[i])).toFixed(3)}`);
for (const s of servers) s.child.kill("SIGKILL");
process.exit(0);

// In-process: the cost of the access-log middleware on a one-handler Hono route (Hono's fast path).
import { Hono } from "hono";
import { accessLog } from "../../pico-hono/dist/index.js";
import { createLogger } from "../dist/index.js";
import { Writable } from "node:stream";

const sink = new Writable({ write: (_c, _e, done) => done() });
const variants = {
  none: () => new Hono(),
  warn: () => { const h = new Hono(); h.use(accessLog(createLogger({ level: "warn", destination: sink }), { enabled: false })); return h; },
  info: () => { const h = new Hono(); h.use(accessLog(createLogger({ level: "info", destination: sink }))); return h; },
};
const apps = Object.fromEntries(Object.entries(variants).map(([k, make]) => { const h = make(); h.get("/api/profile", (c) => c.json({ subject: "x", role: "wallet" })); return [k, h]; }));
const req = new Request("http://localhost/api/profile", { headers: { authorization: "Bearer x" } });
async function round(app, n) {
  const t = performance.now();
  for (let i = 0; i < n; i++) { const r = await app.fetch(req); if (r.status !== 200) throw new Error(); }
  return ((performance.now() - t) * 1000) / n; // µs per request
}
const N = 20_000;
for (const app of Object.values(apps)) await round(app, N);
const results = { none: [], warn: [], info: [] };
for (let r = 0; r < 40; r++) for (const k of Object.keys(apps)) results[k].push(await round(apps[k], N));
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const min = (a) => Math.min(...a);
for (const k of Object.keys(results)) console.log(`${k}: median ${med(results[k]).toFixed(3)} µs/request, min ${min(results[k]).toFixed(3)}`);
const diff = (k) => med(results[k].map((x, i) => x - results.none[i]));
console.log(`added vs none (median of same-round differences): warn ${diff("warn").toFixed(3)} µs, info ${diff("info").toFixed(3)} µs; of minima: warn ${(min(results.warn) - min(results.none)).toFixed(3)} µs, info ${(min(results.info) - min(results.none)).toFixed(3)} µs`);

import { Hono } from "hono";
import { randomUUID } from "node:crypto";
const mws = {
  none: null,
  passthrough: (c, next) => next(),
  uuid: (c, next) => { randomUUID(); return next(); },
  readHeader: (c, next) => { c.req.header("X-Request-Id"); return next(); },
  set: (c, next) => { c.set("requestId", "x"); return next(); },
  setHeader: (c, next) => { c.header("X-Request-Id", "abc"); return next(); },
  all: (c, next) => { const g = c.req.header("X-Request-Id"); const id = g && /^[\w\-=]{1,128}$/.test(g) ? g : randomUUID(); c.set("requestId", id); c.header("X-Request-Id", id); return next(); },
};
const apps = Object.fromEntries(Object.entries(mws).map(([k, mw]) => { const h = new Hono(); if (mw) h.use(mw); h.get("/api/profile", (c) => c.json({ subject: "x", role: "wallet" })); return [k, h]; }));
const req = new Request("http://localhost/api/profile", { headers: { authorization: "Bearer x" } });
async function round(app, n) { const t = performance.now(); for (let i = 0; i < n; i++) await app.fetch(req); return ((performance.now() - t) * 1000) / n; }
for (const app of Object.values(apps)) await round(app, 20000);
const res = Object.fromEntries(Object.keys(apps).map((k) => [k, []]));
for (let r = 0; r < 30; r++) for (const k of Object.keys(apps)) res[k].push(await round(apps[k], 10000));
for (const k of Object.keys(res)) console.log(k, "min", Math.min(...res[k]).toFixed(3), "µs");

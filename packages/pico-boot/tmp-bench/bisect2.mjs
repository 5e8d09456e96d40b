import { pino } from "pino";
import { Writable } from "node:stream";
import { redactSecrets } from "../dist/logging/redact.js";
const sink = new Writable({ write: (_c, _e, done) => done() });
const fields = { event: "http.request", method: "GET", route: "/api/profile", status: 200, duration_ms: 0.123, request_id: "09203404-980b-4b59-a181-dc84bd04d5a6" };
const opts = { level: "info", base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } };
const cases = {
  plain: () => { const l = pino({}, sink); return () => l.info(fields, "request"); },
  allOpts: () => { const l = pino(opts, sink); return () => l.info(fields, "request"); },
  allOptsSer: () => { const l = pino({ ...opts, serializers: { err: (e) => e } }, sink); return () => l.info(fields, "request"); },
  allOptsRedact: () => { const l = pino(opts, sink); return () => l.info(redactSecrets(fields), "request"); },
  redactOnly: () => () => redactSecrets(fields),
};
for (let rep = 0; rep < 2; rep++) for (const [name, make] of Object.entries(cases)) {
  const f = make(); for (let i = 0; i < 20000; i++) f();
  const t = performance.now(); const n = 100000; for (let i = 0; i < n; i++) f();
  console.log(name, (((performance.now() - t) * 1000) / n).toFixed(3), "µs");
}

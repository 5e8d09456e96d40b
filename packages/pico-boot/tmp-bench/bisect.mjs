import { pino } from "pino";
import { Writable } from "node:stream";
import { REDACT_PATHS, scrubStrings } from "../dist/logging/redact.js";
const sink = new Writable({ write: (_c, _e, done) => done() });
const fields = { event: "http.request", method: "GET", route: "/api/profile", status: 200, duration_ms: 0.123, request_id: "09203404-980b-4b59-a181-dc84bd04d5a6" };
const top = REDACT_PATHS.filter((p) => !p.startsWith("*"));
const cases = {
  isoTime: () => { const l = pino({ timestamp: pino.stdTimeFunctions.isoTime }, sink); return () => l.info(fields, "request"); },
  levelLabel: () => { const l = pino({ formatters: { level: (label) => ({ level: label }) } }, sink); return () => l.info(fields, "request"); },
  redactAll: () => { const l = pino({ redact: { paths: [...REDACT_PATHS], censor: "[redacted]" } }, sink); return () => l.info(fields, "request"); },
  redactTop: () => { const l = pino({ redact: { paths: top, censor: "[redacted]" } }, sink); return () => l.info(fields, "request"); },
  scrub: () => () => scrubStrings(fields),
};
for (const [name, make] of Object.entries(cases)) {
  const f = make(); for (let i = 0; i < 20000; i++) f();
  const t = performance.now(); const n = 50000; for (let i = 0; i < n; i++) f();
  console.log(name, (((performance.now() - t) * 1000) / n).toFixed(3), "µs");
}

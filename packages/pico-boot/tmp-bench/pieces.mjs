import { pino } from "pino";
import { Writable } from "node:stream";
import { createLogger } from "../dist/index.js";
import { randomUUID } from "node:crypto";
const sink = new Writable({ write: (_c, _e, done) => done() });
const devnull = pino.destination({ dest: "/dev/null", sync: true });
const fields = { event: "http.request", method: "GET", route: "/api/profile", status: 200, duration_ms: 0.123, request_id: "09203404-980b-4b59-a181-dc84bd04d5a6" };
const cases = {
  plainPinoStream: () => { const l = pino({}, sink); return () => l.info(fields, "request"); },
  plainPinoDevnull: () => { const l = pino({}, devnull); return () => l.info(fields, "request"); },
  picoLoggerStream: () => { const l = createLogger({ level: "info", destination: sink }); return () => l.info("request", fields); },
  picoLoggerDevnull: () => { const l = createLogger({ level: "info", destination: devnull }); return () => l.info("request", fields); },
  uuid: () => () => randomUUID(),
};
for (const [name, make] of Object.entries(cases)) {
  const f = make(); for (let i = 0; i < 20000; i++) f();
  const t = performance.now(); const n = 100000; for (let i = 0; i < n; i++) f();
  console.log(name, (((performance.now() - t) * 1000) / n).toFixed(3), "µs");
}

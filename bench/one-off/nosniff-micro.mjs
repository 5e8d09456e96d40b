/**
 * The cost of one X-Content-Type-Options header on a Node ServerResponse, without sockets: writeHead
 * alone, after res.setHeader (what pico-boot does), or with the header in writeHead's object.
 *   taskset -c 1 node bench/one-off/nosniff-micro.mjs
 */
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
const req = new IncomingMessage(new Socket());
req.method = "GET"; req.httpVersionMajor = 1; req.httpVersionMinor = 1; req.httpVersion = "1.1";
const headers = { "content-type": "application/json", "content-length": "48" };
function run(withHeader, n) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = new ServerResponse(req);
    if (withHeader === 1) res.setHeader("X-Content-Type-Options", "nosniff");
    res.writeHead(200, withHeader === 2 ? { ...headers, "X-Content-Type-Options": "nosniff" } : headers);
    if (res._header.length < 10) throw new Error();
  }
  return Number(process.hrtime.bigint() - t) / n;
}
const r = { none: [], setHeader: [], inObject: [] };
for (let round = 0; round < 15; round++) {
  r.none.push(run(0, 100_000)); r.setHeader.push(run(1, 100_000)); r.inObject.push(run(2, 100_000));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[7];
console.log(Object.entries(r).map(([k, v]) => `${k} ${med(v).toFixed(0)} ns`).join(", "));

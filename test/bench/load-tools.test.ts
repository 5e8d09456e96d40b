/**
 * The bench harness's pure parts that decide what a run measures: which runtime a --node value
 * names, how wrk's result line is read and checked, and which generator a load spec gets.
 * (The harness itself needs wrk and minutes of CPU; it is run by hand, see docs/performance.md.)
 */
import { describe, expect, it } from "vitest";
import { generatorOf } from "../../bench/lib/load.js";
import { HarnessError } from "../../bench/lib/proc.js";
import { requestedRuntime, runtimeKind } from "../../bench/lib/runtime.js";
import { parseWrkOutput, wrkScript } from "../../bench/lib/wrk.js";

const line = (over: Record<string, unknown> = {}) =>
  `Running 1s test\nPICO_WRK_RESULT ${JSON.stringify({ requests: 1000, durationUs: 1_000_000, p50Us: 900, p99Us: 4000, sent: 1020, cpuSeconds: 0.25, errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 }, statuses: { "200": 1000 }, ...over })}\n`;

describe("parseWrkOutput", () => {
  it("reads the script's result line", () => {
    const r = parseWrkOutput(line(), [200], "t");
    expect(r.requests).toBe(1000);
    expect(r.p99Us).toBe(4000);
    expect(r.sent).toBe(1020);
  });

  it("fails on a status the run did not expect, and accepts it when expected", () => {
    const mixed = line({ statuses: { "200": 600, "401": 400 }, errors: { connect: 0, read: 0, write: 0, status: 400, timeout: 0 } });
    expect(() => parseWrkOutput(mixed, [200], "t")).toThrow(HarnessError);
    expect(parseWrkOutput(mixed, [200, 401], "t").statuses).toEqual({ "200": 600, "401": 400 });
  });

  it("fails on socket errors and timeouts, on no responses, and without a result line", () => {
    expect(() => parseWrkOutput(line({ errors: { connect: 0, read: 3, write: 0, status: 0, timeout: 0 } }), [200], "t")).toThrow(/read/);
    expect(() => parseWrkOutput(line({ errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 1 } }), [200], "t")).toThrow(/timeout/);
    expect(() => parseWrkOutput(line({ requests: 0, statuses: {} }), [200], "t")).toThrow(HarnessError);
    expect(() => parseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused\n", [200], "t")).toThrow(/no result/);
  });
});

describe("wrkScript", () => {
  it("has a request function only when a header changes per request (wrk then builds every request dynamically)", () => {
    expect(wrkScript({ method: "GET" })).not.toMatch(/function request\(/);
    const perRequest = wrkScript({ method: "GET", perRequestHeader: "authorization" });
    expect(perRequest).toMatch(/function request\(/);
    expect(perRequest).toContain('headers["authorization"] = line');
    // Statuses are always counted: an unexpected one must fail the run.
    expect(wrkScript({ method: "GET" })).toMatch(/function response\(status/);
  });

  it("quotes method and body as Lua strings", () => {
    expect(wrkScript({ method: "POST", body: '{"a":"b\\n"}' })).toContain('wrk.body = "{\\"a\\":\\"b\\\\n\\"}"');
  });
});

describe("runtime selection", () => {
  it("takes --node over PICO_BENCH_NODE, and neither means the running Node", () => {
    expect(requestedRuntime(["--quick", "--node=24"], { PICO_BENCH_NODE: "20" })).toBe("24");
    expect(requestedRuntime([], { PICO_BENCH_NODE: "/opt/node/bin/node" })).toBe("/opt/node/bin/node");
    expect(requestedRuntime(["--quick"], {})).toBeUndefined();
    expect(() => requestedRuntime(["--node="], {})).toThrow(HarnessError);
  });

  it("names the running Node by its major or exact version, anything else a version to fetch or a path", () => {
    expect(runtimeKind("20", "20.20.2")).toEqual({ kind: "self" });
    expect(runtimeKind("v20.20.2", "20.20.2")).toEqual({ kind: "self" });
    expect(runtimeKind("24", "20.20.2")).toEqual({ kind: "version", version: "24" });
    expect(runtimeKind("24.22.3", "20.20.2")).toEqual({ kind: "version", version: "24.22.3" });
    expect(runtimeKind("20.19.0", "20.20.2")).toEqual({ kind: "version", version: "20.19.0" });
    expect(runtimeKind("./node", "20.20.2")).toEqual({ kind: "path", path: "./node" });
    expect(() => runtimeKind("lts", "20.20.2")).toThrow(HarnessError);
    expect(() => runtimeKind("24.1", "20.20.2")).toThrow(HarnessError);
  });
});

describe("generatorOf", () => {
  it("gives wrk by default and autocannon where only it can run the spec", () => {
    expect(generatorOf({ port: 1, path: "/" })).toBe("wrk");
    expect(generatorOf({ port: 1, path: "/", amount: 10 })).toBe("autocannon");
    expect(generatorOf({ port: 1, path: "/", next: () => ({}) })).toBe("autocannon");
    expect(() => generatorOf({ port: 1, path: "/", amount: 10, generator: "wrk" })).toThrow();
    expect(() => generatorOf({ port: 1, path: "/", perRequest: { header: "a", values: ["x"] }, generator: "autocannon" })).toThrow();
  });
});

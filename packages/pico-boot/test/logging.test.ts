import { Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { ComponentInitError, ConfigurationError, InvalidGraphError } from "pico-ioc";
import { Application, InvalidOptionsError, ListenError, createLogger } from "../src/index.js";
import { describeBootFailure } from "../src/logging/boot-failure.js";
import { BootGate } from "../src/logging/boot-gate.js";
import { logLevelFrom } from "../src/logging/log-level.js";
import { scrubUrlPasswords } from "../src/logging/redact.js";
import { fixtureApp, linkFixturePackages } from "./fixtures.js";

beforeAll(linkFixturePackages);

/** What a logger wrote, line by line. */
function capture(): { stream: Writable; lines: () => string[]; entries: () => Record<string, unknown>[] } {
  let text = "";
  const stream = new Writable({ write: (chunk, _encoding, done) => ((text += chunk.toString()), done()) });
  const lines = () => text.split("\n").filter((line) => line !== "");
  return { stream, lines, entries: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("LOG_LEVEL", () => {
  it("takes debug, info, warn, error and silent in any case; unset or empty is info; anything else names LOG_LEVEL", () => {
    expect(logLevelFrom({})).toBe("info");
    expect(logLevelFrom({ LOG_LEVEL: "" })).toBe("info");
    for (const level of ["debug", "info", "warn", "error", "silent"]) expect(logLevelFrom({ LOG_LEVEL: level.toUpperCase() })).toBe(level);
    expect(() => logLevelFrom({ LOG_LEVEL: "verbose" })).toThrow(new InvalidOptionsError('LOG_LEVEL expected one of debug, info, warn, error, silent, got "verbose"'));
  });

  it("a bad LOG_LEVEL fails the boot (init rejects), not the constructor", async () => {
    const app = new Application({ moduleNames: ["fixture_app"], root: fixtureApp, env: { LOG_LEVEL: "trace" } });
    await expect(app.init()).rejects.toThrow('LOG_LEVEL expected one of debug, info, warn, error, silent, got "trace"');
  });
});

describe("the default logger (pino)", () => {
  it("writes one JSON line per entry: level as a word, ISO time, pid, message, fields; below the level nothing", () => {
    const out = capture();
    const logger = createLogger({ level: "info", destination: out.stream });
    logger.debug("hidden");
    logger.info("hello", { event: "test.hello", n: 1 });
    logger.warn("careful");
    expect(out.entries()).toStrictEqual([
      { level: "info", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), pid: process.pid, event: "test.hello", n: 1, msg: "hello" },
      { level: "warn", time: expect.any(String), pid: process.pid, msg: "careful" },
    ]);
    expect(logger.isLevelEnabled("info")).toBe(true);
    expect(logger.isLevelEnabled("debug")).toBe(false);
    expect(createLogger({ level: "silent", destination: out.stream }).isLevelEnabled("error")).toBe(false);
  });

  it("renders fields.err with its type, message, stack and cause", () => {
    const out = capture();
    createLogger({ destination: out.stream }).error("failed", { err: new Error("outer", { cause: new TypeError("inner") }) });
    const err = out.entries()[0]?.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: "Error", message: expect.stringContaining("outer") });
    expect(err.stack).toContain("logging.test.ts");
    expect(JSON.stringify(err)).toContain("inner");
  });

  it("redacts fields named like secrets, at the top and one level down, and passwords inside URLs everywhere", () => {
    const out = capture();
    const logger = createLogger({ level: "debug", destination: out.stream });
    const url = "postgres://app:pg-S3cret@db.internal:5432/auth";
    logger.info(`connecting to ${url}`, {
      password: "pw-1", token: "tok-2", access_token: "at-3", refresh_token: "rt-4", authorization: "Bearer bt-5", signature: "sig-6",
      admin_password: "ap-7", metrics_bearer: "mb-8", secret: "sec-9",
      headers: { authorization: "Bearer bt-10", "x-agent-authorization": "Bearer bt-11", cookie: "c-12" },
      body: { password: "pw-13", new_password: "pw-14" },
      store_url: url, list: [url],
    });
    logger.error("store down", { err: new Error(`connect ECONNREFUSED ${url}`, { cause: new Error(`retrying ${url}`) }) });
    const text = out.lines().join("\n");
    for (const secret of ["pw-1", "tok-2", "at-3", "rt-4", "bt-5", "sig-6", "ap-7", "mb-8", "sec-9", "bt-10", "bt-11", "c-12", "pw-13", "pw-14", "pg-S3cret"]) {
      expect(text, secret).not.toContain(secret);
    }
    expect(text).toContain("postgres://app:[redacted]@db.internal:5432/auth");
    expect(out.entries()[0]).toMatchObject({ password: "[redacted]", headers: { authorization: "[redacted]" }, store_url: "postgres://app:[redacted]@db.internal:5432/auth" });
  });

  it("scrubs URL passwords (empty user too) and leaves URLs without one alone", () => {
    expect(scrubUrlPasswords("redis://:p4ss@cache:6379/0 and http://localhost:8100/api and admin@example.com")).toBe("redis://:[redacted]@cache:6379/0 and http://localhost:8100/api and admin@example.com");
    expect(scrubUrlPasswords('{"issuer":"http://localhost:8100","admin_email":"admin@example.com"}')).toBe('{"issuer":"http://localhost:8100","admin_email":"admin@example.com"}');
    expect(scrubUrlPasswords("no url here")).toBe("no url here");
  });

  it("pretty: one readable line per entry instead of JSON, secrets still redacted", () => {
    const out = capture();
    createLogger({ destination: out.stream, pretty: true }).info("ready", { event: "test.ready", password: "pw-x" });
    const [line] = out.lines();
    expect(out.lines()).toHaveLength(1);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ready /);
    expect(line).toContain('"event":"test.ready"');
    expect(line).not.toContain("pw-x");
  });
});

describe("the access log in an Application", () => {
  it("at info: one line per request; at warn: none, the request id still echoed by the server", async () => {
    for (const [level, expected] of [["info", 1], ["warn", 0]] as const) {
      const out = capture();
      const app = new Application({ moduleNames: ["fixture_app"], root: fixtureApp, env: {}, autoPlugins: false, logger: createLogger({ level, destination: out.stream }) });
      const { url } = await app.start({ port: 0 });
      const res = await fetch(`${url}/app`, { headers: { "X-Request-Id": "r-1" } });
      await res.arrayBuffer();
      expect(res.headers.get("X-Request-Id")).toBe("r-1");
      const access = out.entries().filter((e) => e.event === "http.request");
      expect(access, level).toHaveLength(expected);
      if (expected) expect(access[0]).toMatchObject({ level: "info", method: "GET", route: "/app", status: 200, request_id: "r-1", msg: "request" });
      await app.stop();
    }
  });
});

describe("boot failures as run() prints them", () => {
  const config = new ConfigurationError([{ path: "web.port", message: "expected integer, got \"x\"" }, { path: "a.b", message: "unknown key" }]);

  it("one line per problem; the stack and causes only when asked", () => {
    expect(describeBootFailure(config, false)).toBe('pico-boot: cannot start: invalid configuration: web.port: expected integer, got "x"\npico-boot: cannot start: invalid configuration: a.b: unknown key\n');
    const listen = new ListenError("127.0.0.1", 8100, Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }));
    expect(describeBootFailure(listen, false)).toBe("pico-boot: cannot start: Cannot listen on 127.0.0.1:8100: the port is already in use (another process listens there); choose another with PORT, or another address with HOST\n");
    const withStack = describeBootFailure(listen, true);
    expect(withStack).toContain("ListenError: Cannot listen on");
    expect(withStack).toContain("caused by: Error: listen EADDRINUSE");
    expect(withStack).toContain("logging.test.ts");
    expect(describeBootFailure(new Error("cannot reach postgres://u:hunter2@db/x"), true)).not.toContain("hunter2");
  });

  it("a configuration error thrown by a component's constructor (wrapped, with a cause) is still one prefixed line per problem; any other message is one line", () => {
    const wrapped = new ComponentInitError("ClientAddresses", "constructor", config);
    expect(describeBootFailure(wrapped, false)).toBe(describeBootFailure(config, false));
    const graph = new ComponentInitError("Db", "onInit", new InvalidGraphError(["No provider for Pool", "Cycle: A -> B -> A"]));
    expect(describeBootFailure(graph, false)).toBe("pico-boot: cannot start: No provider for Pool\npico-boot: cannot start: Cycle: A -> B -> A\n");
    const multiLine = new ComponentInitError("Db", "onInit", new Error("connect failed:\n  host db\n  port 5432"));
    expect(describeBootFailure(multiLine, false)).toBe("pico-boot: cannot start: Failed to create Db (onInit): Error: connect failed: host db port 5432\n");
  });

  it("the boot gate holds lines until released", () => {
    const written: string[] = [];
    const gate = new BootGate({ write: (line: string) => void written.push(line) });
    gate.write("a");
    gate.hold();
    gate.write("b");
    expect(written).toStrictEqual(["a"]);
    gate.release();
    gate.write("c");
    expect(written).toStrictEqual(["a", "b", "c"]);
  });
});

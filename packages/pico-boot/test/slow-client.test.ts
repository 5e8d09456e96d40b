import { connect } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { RequestContext, controller, post } from "pico-hono";
import { Application, InvalidOptionsError } from "../src/index.js";
import { fixtureApp, linkFixturePackages } from "./fixtures.js";

beforeAll(linkFixturePackages);

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const base = { moduleNames: ["fixture_app"], root: fixtureApp, logger: quiet, env: {} };

/** A route that waits for the whole body, as every JSON route does. */
@controller({ prefix: "/echo" })
class Echo {
  @post()
  async echo(ctx: RequestContext) {
    return { got: await ctx.json() };
  }
}

let running: Application | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

interface Outcome {
  /** What the server sent before closing. */
  readonly received: string;
  /** Milliseconds from connecting until the server closed the socket. */
  readonly closedAfterMs: number;
}

/**
 * Opens a raw TCP socket, sends `first`, then one more `drip` every `everyMs`, forever: the socket
 * only ends when the server closes it (or after `giveUpMs`, which fails the test).
 */
function dribble(port: number, first: string, drip: string, everyMs: number, giveUpMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setInterval(() => socket.writable && socket.write(drip), everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a dribbling client for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on("connect", () => socket.write(first));
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", () => undefined); // a reset after the server's close is the expected end
    socket.on("close", () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
}

describe("slow clients against the real server of Application.start()", () => {
  it("a client sending its headers one line at a time is cut off with 408 after headersTimeoutMs", async () => {
    running = new Application({ ...base, headersTimeoutMs: 400, requestTimeoutMs: 2_000 });
    const { port } = await running.start({ port: 0 });
    // A header line every 100 ms: each write is activity, so an idle-socket timeout would never fire.
    const outcome = await dribble(port, "GET /app HTTP/1.1\r\nHost: localhost\r\n", "X-Slow: 1\r\n", 100, 5_000);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(outcome.received).toContain('\r\n\r\n{"detail":"Request timeout: the request was not received in time"}');
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(350);
    expect(outcome.closedAfterMs).toBeLessThan(2_000);
  });

  it("a client dribbling a declared body is cut off after requestTimeoutMs", async () => {
    running = new Application({ ...base, components: [Echo], headersTimeoutMs: 300, requestTimeoutMs: 800 });
    const { port } = await running.start({ port: 0 });
    const head = "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    const outcome = await dribble(port, head, " ", 100, 5_000);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(700);
    expect(outcome.closedAfterMs).toBeLessThan(3_000);
  });

  it("requests Node refuses before the app runs get a JSON detail too: 431, 400", async () => {
    running = new Application(base);
    const { port } = await running.start({ port: 0 });
    const huge = await dribble(port, `GET /app HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, "", 1_000, 5_000);
    expect(huge.received).toMatch(/^HTTP\/1\.1 431 [^]*Content-Type: application\/json[^]*\r\n\r\n\{"detail":"Request header fields are larger than the server accepts"\}$/);
    const garbage = await dribble(port, "\x00\x01 not http\r\n\r\n", "", 1_000, 5_000);
    expect(garbage.received).toMatch(/^HTTP\/1\.1 400 [^]*\r\n\r\n\{"detail":"Malformed HTTP request"\}$/);
    const extensions = await dribble(port, `POST /app HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n1;${"x".repeat(20_000)}\r\na\r\n`, "", 1_000, 5_000);
    expect(extensions.received).toMatch(/^HTTP\/1\.1 413 [^]*\r\n\r\n\{"detail":"Chunk extensions are larger than the server accepts"\}$/);
  });

  it("a prompt client on the same server is served", async () => {
    running = new Application({ ...base, headersTimeoutMs: 400, requestTimeoutMs: 2_000 });
    const { url } = await running.start({ port: 0 });
    const res = await fetch(`${url}/app`);
    expect(res.status).toBe(200);
  });

  it("the timeouts must be positive numbers, and the header one within the request one", () => {
    expect(() => new Application({ ...base, headersTimeoutMs: 0 })).toThrow(InvalidOptionsError);
    expect(() => new Application({ ...base, requestTimeoutMs: Number.NaN })).toThrow('"requestTimeoutMs" expected a number > 0');
    expect(() => new Application({ ...base, headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 })).toThrow('must not exceed "requestTimeoutMs"');
  });
});

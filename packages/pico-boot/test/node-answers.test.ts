import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controller, get, post } from "pico-hono";
import { Application } from "../src/index.js";
import { fixtureApp, linkFixturePackages } from "./fixtures.js";

beforeAll(linkFixturePackages);

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

@controller({ prefix: "/t" })
class Routes {
  @post("/echo")
  echo() {
    return { ok: true };
  }
  @get("/own-nosniff")
  ownNosniff() {
    return new Response("text", { headers: { "content-type": "text/plain", "x-content-type-options": "nosniff" } });
  }
  @get("/boom")
  boom(): never {
    throw new Error("a bug");
  }
}

let app: Application;
let port: number;
beforeAll(async () => {
  app = new Application({ moduleNames: ["fixture_app"], root: fixtureApp, logger: quiet, env: {}, components: [Routes], config: { web: { body_limit: 16 } } });
  ({ port } = await app.start({ port: 0, host: "127.0.0.1" }));
});
afterAll(() => app.stop());

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The server closed the connection after answering. */
  readonly closed: boolean;
}

/** Sends `raw` on a new TCP connection; the answer once the server closes, or once a whole Content-Length body is in. */
function send(raw: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const parse = (closed: boolean): Answer | undefined => {
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return undefined;
      const [statusLine = "", ...lines] = received.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      const body = received.slice(end + 4);
      const expected = raw.startsWith("HEAD ") ? 0 : Number(headers["content-length"] ?? Infinity);
      if (!closed && Buffer.byteLength(body) < expected) return undefined;
      return { status: Number(statusLine.split(" ")[1]), headers, body, closed };
    };
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no whole answer to ${JSON.stringify(raw.slice(0, 40))}; got ${JSON.stringify(received)}`));
    }, 5_000);
    socket.on("connect", () => socket.write(raw));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const answer = parse(false);
      // Keep-alive answers: wait a moment to see whether the server closes, then report.
      if (answer) setTimeout(() => socket.destroy(), 100);
    });
    socket.on("error", () => undefined);
    socket.on("close", (hadError) => {
      clearTimeout(giveUp);
      const answer = parse(true);
      if (answer) resolve({ ...answer, closed: !hadError && socket.readableEnded });
      else reject(new Error(`no answer to ${JSON.stringify(raw.slice(0, 40))}; got ${JSON.stringify(received)}`));
    });
  });
}

function expectJsonError(answer: Answer, status: number, detail: string): void {
  expect({ status: answer.status, type: answer.headers["content-type"], body: JSON.parse(answer.body) as unknown, nosniff: answer.headers["x-content-type-options"] }).toEqual({
    status,
    type: "application/json",
    body: { detail },
    nosniff: "nosniff",
  });
}

describe("answers Node and @hono/node-server write themselves are JSON with a detail, over a real socket", () => {
  it("HTTP/1.0 without Host → 400", async () => {
    const answer = await send("GET /app HTTP/1.0\r\n\r\n");
    expectJsonError(answer, 400, "Missing Host header: HTTP/1.1 requires one, and this server needs it with HTTP/1.0 too");
    expect(answer.closed).toBe(true);
  });

  it("HTTP/1.1 without Host, or with an empty one → 400", async () => {
    for (const raw of ["GET /app HTTP/1.1\r\n\r\n", "GET /app HTTP/1.1\r\nHost:\r\n\r\n"]) {
      expectJsonError(await send(raw), 400, "Missing Host header: HTTP/1.1 requires one, and this server needs it with HTTP/1.0 too");
    }
  });

  it("an invalid Host → 400", async () => {
    expectJsonError(await send("GET /app HTTP/1.1\r\nHost: user@evil.example\r\n\r\n"), 400, "Invalid Host header");
    expectJsonError(await send("GET /app HTTP/1.1\r\nHost: bücher.example\r\n\r\n"), 400, "Invalid Host header");
    for (const host of ["a b", "localhost:99999", "[::1"]) {
      expectJsonError(await send(`GET /app HTTP/1.1\r\nHost: ${host}\r\n\r\n`), 400, "Invalid Host header or request target");
    }
  });

  it("OPTIONS * (and any other method with the asterisk target) → 400", async () => {
    for (const method of ["OPTIONS", "GET"]) {
      const answer = await send(`${method} * HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      expectJsonError(answer, 400, 'The request target "*" (as in OPTIONS *) is not supported: send the request to a path');
      expect(answer.closed).toBe(true);
    }
  });

  it("a backslash in the path, or a bad absolute URL in the request line → 400", async () => {
    expectJsonError(await send("GET /app\\..\\x HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400, "Backslash in the request path");
    expectJsonError(await send("GET http://[x/app HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400, "Invalid absolute URL in the request line");
  });

  it("an Expect other than 100-continue → 417, and the unread body does not become a request", async () => {
    const answer = await send("POST /t/echo HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    expectJsonError(answer, 417, 'Unsupported Expect header: only "100-continue" is');
    expect(answer.closed).toBe(true);
  });

  it("the 417 carries the request id like every other answer: the client's when well-formed, else a new one", async () => {
    const expect417 = (id: string) => `POST /t/echo HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\n${id}Content-Length: 2\r\n\r\n{}`;
    expect((await send(expect417("X-Request-Id: op-417\r\n"))).headers["x-request-id"]).toBe("op-417");
    expect((await send(expect417(""))).headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("CONNECT → 405 instead of a dropped connection", async () => {
    const answer = await send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    expectJsonError(answer, 405, "CONNECT is not supported: this server is not a proxy");
    expect(answer.closed).toBe(true);
  });

  it("parser errors keep their JSON answers, now with nosniff", async () => {
    expectJsonError(await send("GET app HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400, "Malformed HTTP request");
    expectJsonError(await send("POST /t/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, "Malformed HTTP request");
    expectJsonError(await send(`GET /app HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`), 431, "Request header fields are larger than the server accepts");
  });
});

describe("X-Content-Type-Options: nosniff on every response of the real server", () => {
  it("200, 404, 405, 413, 500 and the docs", async () => {
    const cases: [string, number][] = [
      ["GET /app HTTP/1.1\r\nHost: localhost\r\n\r\n", 200],
      ["HEAD /app HTTP/1.1\r\nHost: localhost\r\n\r\n", 200],
      ["GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n", 404],
      ["DELETE /app HTTP/1.1\r\nHost: localhost\r\n\r\n", 405],
      ["OPTIONS /app HTTP/1.1\r\nHost: localhost\r\nOrigin: https://a.example\r\nAccess-Control-Request-Method: GET\r\n\r\n", 405],
      ['POST /t/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{"a":"0123456789012345678901"}', 413],
      ["GET /t/boom HTTP/1.1\r\nHost: localhost\r\n\r\n", 500],
      ["GET /docs HTTP/1.1\r\nHost: localhost\r\n\r\n", 200],
      ["GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n", 200],
      ["GET /docs/swagger-ui-init.js HTTP/1.1\r\nHost: localhost\r\n\r\n", 200],
    ];
    for (const [raw, status] of cases) {
      const answer = await send(raw);
      expect([answer.status, answer.headers["x-content-type-options"]], raw.split("\r\n")[0]).toEqual([status, "nosniff"]);
    }
  });

  it("one header, not two, where a route sets it too", async () => {
    const answer = await send("GET /t/own-nosniff HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(answer.body).toBe("text");
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.end("GET /t/own-nosniff HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
      let received = "";
      socket.on("data", (chunk) => (received += chunk.toString("latin1")));
      socket.on("close", () => resolve(received));
    });
    expect(raw.match(/x-content-type-options/gi)).toHaveLength(1);
  });
});

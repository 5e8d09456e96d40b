import { request } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PicoContainer } from "pico-ioc";
import { WebSettings, buildWebApp, controller, post } from "../src/index.js";
import type { RequestContext } from "../src/index.js";
import { capturingLogger } from "./web-app.js";

const LIMIT = 256;

@controller({ prefix: "/body" })
class Echo {
  @post("/echo")
  async echo(ctx: RequestContext) {
    const body = await ctx.json();
    // Hono's own reader afterwards sees the same body (it is cached), not an empty stream.
    const again = await ctx.c.req.json();
    return { body, same: JSON.stringify(again) === JSON.stringify(body) };
  }
}

let server: ServerType;
let port: number;

beforeAll(async () => {
  // A small limit: an oversized body still fits the socket buffers, so the 413 is read, not reset.
  const container = await PicoContainer.create({ components: [WebSettings, Echo], config: { web: { body_limit: LIMIT } }, env: {} });
  const { hono } = buildWebApp(container, [Echo], capturingLogger());
  await new Promise<void>((resolve) => {
    server = serve({ fetch: hono.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  (server as Server).closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** One POST over a real socket; `chunked` sends no Content-Length. */
function send(body: string | Buffer, options: { chunked?: boolean; type?: string } = {}): Promise<{ status: number; body: unknown; connection?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { "content-type": options.type ?? "application/json" };
    if (!options.chunked) headers["content-length"] = Buffer.byteLength(body);
    const req = request({ host: "127.0.0.1", port, path: "/body/echo", method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const connection = res.statusCode === 413 ? { connection: res.headers.connection } : {};
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown, ...connection });
      });
    });
    req.on("error", reject);
    if (options.chunked) {
      const text = Buffer.from(body);
      req.write(text.subarray(0, 3));
      req.end(text.subarray(3));
    } else req.end(body);
  });
}

describe("request bodies on @hono/node-server", () => {
  it("reads a JSON body with a Content-Length, or chunked, the same way; UTF-8, BOM dropped", async () => {
    expect(await send('{"a":"é ☃"}')).toEqual({ status: 200, body: { body: { a: "é ☃" }, same: true } });
    expect(await send('{"a":"é ☃"}', { chunked: true })).toEqual({ status: 200, body: { body: { a: "é ☃" }, same: true } });
    expect(await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":1}')]))).toEqual({ status: 200, body: { body: { bom: 1 }, same: true } });
  });

  it("keeps the body limit and the 400/415 answers on both paths", async () => {
    const big = JSON.stringify({ pad: "x".repeat(LIMIT) });
    const detail = `Request body is larger than the limit of ${LIMIT} bytes`;
    expect((await send(JSON.stringify({ pad: "x".repeat(LIMIT - 10) }))).status).toBe(200);
    // The unread rest of the body must not be taken for a next request: the connection is closed, and says so.
    expect(await send(big)).toEqual({ status: 413, body: { detail }, connection: "close" });
    expect(await send(big, { chunked: true })).toEqual({ status: 413, body: { detail }, connection: "close" });
    for (const chunked of [false, true]) {
      expect((await send("{oops", { chunked })).status).toBe(400);
      expect((await send('{"a":1}', { chunked, type: "text/plain" })).status).toBe(415);
      expect(await send("", { chunked })).toEqual({ status: 400, body: { detail: "Expected a JSON body, got an empty body" } });
    }
  });

  it("a client that goes away mid-body costs nothing: the next request is served", async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("POST /body/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":");
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    expect(await send('{"after":true}')).toEqual({ status: 200, body: { body: { after: true }, same: true } });
  });
});

import { describe, expect, it } from "vitest";
import { PicoContainer } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { HTTPException, assignRequestId, buildWebApp, controller, get, post, requestId } from "../src/index.js";
import type { RequestContext } from "../src/index.js";

type Line = { level: string; message: string; fields: Record<string, unknown> | undefined };

function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), lines };
}

@controller({ prefix: "/api" })
class Items {
  @get("/items/:id")
  item(ctx: RequestContext<"/items/:id">) {
    return { id: ctx.params.id, request: requestId(ctx.c) };
  }
  @get("/gone")
  gone() {
    throw new HTTPException(410, "Gone for good");
  }
  @get("/bug")
  bug() {
    throw new Error("boom");
  }
  @get("/bug/:token")
  bugWithToken() {
    throw new Error("boom");
  }
  @post("/echo")
  async echo(ctx: RequestContext) {
    return ctx.json();
  }
}

async function app(logger: Logger, accessLog?: boolean) {
  const container = await PicoContainer.create({ components: [Items] });
  return buildWebApp(container, [Items], logger, accessLog === undefined ? {} : { accessLog }).hono;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("access log and request id", () => {
  it("one info line per request: method, route template, status, duration and request id", async () => {
    const logger = recordingLogger();
    const hono = await app(logger);
    const res = await hono.request("/api/items/42?secret=x", { headers: { "X-Request-Id": "abc-123_X=" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toBe("abc-123_X=");
    expect(await res.json()).toStrictEqual({ id: "42", request: "abc-123_X=" });
    expect(logger.lines).toHaveLength(1);
    const [line] = logger.lines;
    expect(line?.level).toBe("info");
    expect(line?.message).toBe("request");
    expect(line?.fields).toStrictEqual({ event: "http.request", method: "GET", route: "/api/items/:id", status: 200, duration_ms: expect.any(Number), request_id: "abc-123_X=" });
    expect(line?.fields?.duration_ms as number).toBeGreaterThanOrEqual(0);
  });

  it("a missing or malformed X-Request-Id is replaced by a new UUID, echoed; each request gets its own", async () => {
    const logger = recordingLogger();
    const hono = await app(logger);
    const given = ["", "has space", 'quote"d', "tab\there", "a".repeat(129), "semi;colon", "slash/x"];
    const ids: string[] = [];
    for (const value of [undefined, ...given]) {
      const headers: Record<string, string> = value === undefined ? {} : { "X-Request-Id": value };
      const res = await hono.request("/api/items/1", { headers });
      const id = res.headers.get("X-Request-Id") as string;
      expect(id, JSON.stringify(value)).toMatch(UUID);
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(logger.lines.map((l) => l.fields?.request_id)).toStrictEqual(ids);
    // The longest id accepted: 128 characters.
    expect((await hono.request("/api/items/1", { headers: { "X-Request-Id": "a".repeat(128) } })).headers.get("X-Request-Id")).toBe("a".repeat(128));
  });

  it("error responses, 404 and 405 carry the request id; an unmatched request logs route null, never its path", async () => {
    const logger = recordingLogger();
    const hono = await app(logger);
    const cases: [string, RequestInit, number, string | null][] = [
      ["/api/gone", {}, 410, "/api/gone"],
      ["/api/nothing/token-in-path", {}, 404, null],
      ["/api/items/1", { method: "DELETE" }, 405, null],
      ["/api/echo", { method: "POST", body: "{", headers: { "content-type": "application/json" } }, 400, "/api/echo"],
    ];
    for (const [path, init, status, route] of cases) {
      const res = await hono.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), "X-Request-Id": `id-${status}` } });
      expect(res.status, path).toBe(status);
      expect(res.headers.get("X-Request-Id"), path).toBe(`id-${status}`);
      expect(logger.lines.at(-1)?.fields, path).toMatchObject({ event: "http.request", route, status, request_id: `id-${status}` });
    }
    expect(JSON.stringify(logger.lines)).not.toContain("token-in-path");
  });

  it("an unhandled error is logged with the request id, and answered 500 with it", async () => {
    const logger = recordingLogger();
    const hono = await app(logger);
    const res = await hono.request("/api/bug", { headers: { "X-Request-Id": "trace-me" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("X-Request-Id")).toBe("trace-me");
    const error = logger.lines.find((l) => l.level === "error");
    expect(error?.fields).toMatchObject({ event: "http.unhandled_error", request_id: "trace-me" });
    expect((error?.fields?.err as Error).message).toBe("boom");
    expect(logger.lines.filter((l) => l.level === "info").map((l) => l.fields?.status)).toStrictEqual([500]);
  });

  it("an unhandled error names the method and the route template, never the path (a secret in it; decoded, a new line or a terminal escape)", async () => {
    const logger = recordingLogger();
    const hono = await app(logger);
    expect((await hono.request("/api/bug/tok-S3cret%0Aforged%1b[31m")).status).toBe(500);
    const error = logger.lines.find((l) => l.level === "error");
    expect(error?.message).toBe("Unhandled error in GET /api/bug/:token");
    expect(JSON.stringify(logger.lines)).not.toMatch(/tok-S3cret|forged|\\u001b|\\n/);
  });

  it("off (a level above info): no access line and no middleware; on Node, assignRequestId gives the id and echoes it (routes, 404, docs, errors)", async () => {
    const logger = recordingLogger();
    const hono = await app(logger, false);
    // In process, nothing sets an id: the access log, which would, is not mounted.
    expect((await hono.request("/api/items/7")).headers.get("X-Request-Id")).toBeNull();
    // Over a socket, as pico-boot's server does it: the id is set on Node's response before Hono runs.
    const listener = getRequestListener(hono.fetch);
    const server = createServer((req, res) => {
      assignRequestId(req, res);
      return listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}/api/items/7`, { headers: { "X-Request-Id": "kept" } });
      expect(await res.json()).toStrictEqual({ id: "7", request: "kept" });
      expect(res.headers.get("X-Request-Id")).toBe("kept");
      expect((await fetch(`${base}/nowhere`)).headers.get("X-Request-Id")).toMatch(UUID);
      expect((await fetch(`${base}/api/items/7`, { headers: { "X-Request-Id": "bad id" } })).headers.get("X-Request-Id")).toMatch(UUID);
      for (const path of ["/openapi.json", "/docs", "/docs/swagger-ui-init.js"]) {
        const docs = await fetch(`${base}${path}`, { headers: { "X-Request-Id": "docs-id" } });
        expect([docs.status, docs.headers.get("X-Request-Id")], path).toStrictEqual([200, "docs-id"]);
        await docs.arrayBuffer();
      }
      const failed = await fetch(`${base}/api/bug`, { headers: { "X-Request-Id": "bug-id" } });
      expect([failed.status, failed.headers.get("X-Request-Id")]).toStrictEqual([500, "bug-id"]);
      expect(logger.lines.map((l) => [l.level, l.fields?.request_id])).toStrictEqual([["error", "bug-id"]]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

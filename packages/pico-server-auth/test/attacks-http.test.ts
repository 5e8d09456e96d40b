/**
 * The attack catalogue (docs/security.md), HTTP layer: every malformed request to the auth routes is
 * a 4xx with a JSON `{"detail": ...}`, never a 5xx, a hang or a crash. Each case runs twice: in
 * process (`app.request`) and over a real socket (`app.start`), since a JSON body with a
 * Content-Length is read from Node's own stream there.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { postJson, serverApp } from "./support.js";

const ROUTES = ["/api/v1/auth/challenge", "/api/v1/auth/sign-in", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"];
const MiB = 1024 * 1024;

type Send = (path: string, init?: RequestInit) => Promise<{ status: number; body: unknown; type: string | null; allow: string | null }>;

const modes: [string, (app: Application) => Promise<{ send: Send; close(): Promise<void> }>][] = [
  [
    "in process",
    async (app) => ({
      send: async (path, init) => read(await app.request(path, init)),
      close: () => app.stop(),
    }),
  ],
  [
    "over a socket",
    async (app) => {
      const { url } = await app.start({ port: 0, host: "127.0.0.1" });
      return { send: async (path, init) => read(await fetch(`${url}${path}`, init)), close: () => app.stop() };
    },
  ],
];

async function read(res: Response) {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: the assertions then fail, naming it
  }
  return { status: res.status, body, type: res.headers.get("content-type"), allow: res.headers.get("allow") };
}

const raw = (body: string | Uint8Array, contentType?: string): RequestInit => ({ method: "POST", body, headers: contentType === undefined ? {} : { "content-type": contentType } });

describe.each(modes)("attacks on the HTTP layer (%s)", (_mode, open) => {
  let send: Send;
  let close: () => Promise<void>;
  // A server per test: a 413 for a streamed body leaves the client a pooled connection the server
  // then closes (see docs/security.md), which must not fail the next test's first request.
  beforeEach(async () => {
    ({ send, close } = await open(serverApp()));
  });
  afterEach(() => close());

  const expectDetail = async (path: string, init: RequestInit, status: number, detail: string | RegExp) => {
    const res = await send(path, init);
    expect(res.status, `${path} ${String(init.body).slice(0, 40)}`).toBe(status);
    expect(res.type).toMatch(/^application\/json/);
    const got = (res.body as { detail?: unknown }).detail;
    if (typeof detail === "string") expect(got).toBe(detail);
    else expect(got).toMatch(detail);
  };

  it("malformed JSON is a 400 naming the parser's complaint, on every route", async () => {
    for (const path of ROUTES) {
      for (const body of ["{", '{"address": }', "{'address': 'x'}", '{"a":1}}', "nul", "\u0000", '{"a":"\\ud800"']) {
        await expectDetail(path, raw(body, "application/json"), 400, /^Malformed JSON body: /);
      }
    }
  });

  it("a body that is not application/json is a 415; an empty one a 400", async () => {
    for (const path of ROUTES) {
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "text/json"]) {
        await expectDetail(path, raw('{"address":"0xa"}', type), 415, `Expected a JSON body (Content-Type: application/json), got "${type}"`);
      }
      // An empty body counts as none: logout then looks for a bearer token instead.
      const empty = path.endsWith("/logout") ? "a JSON body with refresh_token, or an Authorization: Bearer access token, required" : "Expected a JSON body, got an empty body";
      await expectDetail(path, raw("", "application/json"), 400, empty);
    }
    // No Content-Type at all (logout then reads the bearer, so it answers its own 400).
    for (const path of ROUTES.filter((p) => !p.endsWith("/logout"))) {
      // Bytes, not a string: a string body would get text/plain from fetch itself.
      await expectDetail(path, raw(new TextEncoder().encode('{"address":"0xa"}')), 415, "Expected a JSON body (Content-Type: application/json), got no Content-Type");
    }
  });

  it("valid JSON that is not an object (array, string, number, null, true) is a 400", async () => {
    for (const path of ROUTES) {
      for (const body of ["[]", '[{"address":"0xa"}]', '"0xa"', "42", "null", "true"]) {
        await expectDetail(path, raw(body, "application/json"), 400, "expected a JSON object body");
      }
    }
  });

  it("arrays, numbers, objects and null where strings are expected: each route's own 4xx", async () => {
    for (const value of [["0xa"], 42, null, { a: 1 }, true, ""]) {
      await expectDetail("/api/v1/auth/challenge", postJson({ address: value }), 400, "address required");
      await expectDetail("/api/v1/auth/sign-in", postJson({ address: "0xa", public_key: value, signature: "00", challenge: "00" }), 400, "address, public_key, signature, and challenge required");
      await expectDetail("/api/v1/auth/login", postJson({ email: value, password: "a password" }), 401, "invalid credentials");
      await expectDetail("/api/v1/auth/login", postJson({ email: "admin@example.com", password: value }), 401, "invalid credentials");
      await expectDetail("/api/v1/auth/refresh", postJson({ refresh_token: value }), 400, "refresh_token required");
      await expectDetail("/api/v1/auth/logout", postJson({ refresh_token: value }), 400, "refresh_token required");
    }
    const fields = { address: "0xa", public_key: "00", signature: "00", challenge: "00" };
    await expectDetail("/api/v1/auth/sign-in", postJson({ ...fields, algorithm: ["Ed25519"] }), 400, "unsupported wallet algorithm: object; supported: ML-DSA-65, Ed25519, secp256k1");
    await expectDetail("/api/v1/auth/sign-in", postJson({ ...fields, algorithm: 7 }), 400, "unsupported wallet algorithm: number; supported: ML-DSA-65, Ed25519, secp256k1");
    await expectDetail("/api/v1/auth/sign-in", postJson({ ...fields, algorithm: "x".repeat(10_000) }), 400, `unsupported wallet algorithm: ${"x".repeat(32)}; supported: ML-DSA-65, Ed25519, secp256k1`);
    await expectDetail("/api/v1/auth/challenge", postJson({ address: "a".repeat(129) }), 400, "address must be 1-128 letters, digits or . _ : - (starting with a letter or digit)");
    await expectDetail("/api/v1/auth/challenge", postJson({ address: "admin@example.com" }), 400, "address must be 1-128 letters, digits or . _ : - (starting with a letter or digit)");
    await expectDetail("/api/v1/auth/sign-in", postJson({ ...fields, public_key: "0xzz" }), 400, "invalid hex encoding");
  });

  it("__proto__ and constructor keys in a body are plain data: no prototype pollution, the usual 400", async () => {
    await expectDetail("/api/v1/auth/challenge", raw('{"__proto__":{"address":"0xa","polluted":true}}', "application/json"), 400, "address required");
    await expectDetail("/api/v1/auth/refresh", raw('{"constructor":{"prototype":{"polluted":true}}}', "application/json"), 400, "refresh_token required");
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("a body over the 1 MiB limit is a 413, with a Content-Length or streamed without one", async () => {
    const limit = "Request body is larger than the limit of 1048576 bytes";
    for (const path of ROUTES) await expectDetail(path, raw(`{"a":"${"x".repeat(MiB)}"}`, "application/json"), 413, limit);
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * MiB) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    await expectDetail("/api/v1/auth/login", { method: "POST", body: stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit, 413, limit);
  });

  it("JSON nested 100 000 deep is a 400, answered within 1 s", async () => {
    const started = performance.now();
    await expectDetail("/api/v1/auth/challenge", raw("[".repeat(100_000) + "]".repeat(100_000), "application/json"), 400, "expected a JSON object body");
    await expectDetail("/api/v1/auth/challenge", raw('{"a":'.repeat(100_000) + "1" + "}".repeat(100_000), "application/json"), 400, "address required");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("unknown routes are a 404 and wrong methods a 405 with Allow, both JSON", async () => {
    for (const path of ["/api/v1/auth/nope", "/api/v1/auth/../../etc/passwd", "/api/v1/auth/login/extra", "/%00", "/api/v1/auth/%2e%2e/jwks"]) {
      const res = await send(path);
      expect([res.status, res.body], path).toEqual([404, { detail: "Not Found" }]);
    }
    for (const [method, path, allow] of [["GET", "/api/v1/auth/login", "POST"], ["DELETE", "/api/v1/auth/challenge", "POST"], ["PUT", "/api/v1/auth/jwks", "GET, HEAD"], ["PATCH", "/api/v1/auth/refresh", "POST"]] as const) {
      const res = await send(path, { method, ...(method === "GET" ? {} : { body: "{}", headers: { "content-type": "application/json" } }) });
      expect([res.status, res.body, res.allow], `${method} ${path}`).toEqual([405, { detail: "Method Not Allowed" }, allow]);
    }
  });
});

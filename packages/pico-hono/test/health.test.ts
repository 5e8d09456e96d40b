import type { MiddlewareHandler } from "hono";
import { PicoContainer, component } from "pico-ioc";
import type { Constructor, LogFields } from "pico-ioc";
import { describe, expect, it } from "vitest";
import { HTTPException, READINESS_CACHE_MS, READINESS_CHECK, RouteConflictError, WEB_EXTENSION, WebSettings, buildWebApp, controller, get } from "../src/index.js";
import type { ReadinessCheck, WebExtension } from "../src/index.js";
import { readinessProbe } from "../src/health/readiness-probe.js";

@controller({ prefix: "/api" })
class PingController {
  @get("/ping")
  ping(): { pong: boolean } {
    return { pong: true };
  }
}

/** Every route answers 401: what an auth module does. */
@component({ provides: WEB_EXTENSION })
class DenyAll implements WebExtension {
  routeMiddleware(): MiddlewareHandler {
    return (c) => Promise.resolve(c.json({ detail: "Not authenticated" }, 401));
  }
}

function recordingLogger() {
  const warnings: { message: string; fields?: LogFields }[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (message: string, fields?: LogFields) => void warnings.push({ message, fields }) };
}

/** A check whose answer a test sets; counts its runs. */
function steerable(name: string, answer: () => ReturnType<ReadinessCheck["check"]>) {
  const check = { name, runs: 0, check: () => (check.runs++, answer()) };
  return check;
}

/** A component providing READINESS_CHECK, as a module would declare one, delegating to `check`. */
function asComponent(delegate: ReadinessCheck): Constructor {
  @component({ provides: READINESS_CHECK })
  class Check implements ReadinessCheck {
    readonly name = delegate.name;
    check() {
      return delegate.check();
    }
  }
  return Check;
}

async function appWith(checks: ReadinessCheck[], components: Constructor[] = [], web: Record<string, unknown> = {}) {
  const logger = recordingLogger();
  const container = await PicoContainer.create({ components: [WebSettings, PingController, ...checks.map(asComponent), ...components], config: { web } });
  return { web: buildWebApp(container, [PingController], logger), logger };
}

const probe = async (app: { web: { hono: { request(path: string): Response | Promise<Response> } } }, path = "/readyz") => {
  const res = await app.web.hono.request(path);
  return [res.status, await res.json(), res.headers.get("cache-control")];
};

describe("/healthz and /readyz", () => {
  it("/healthz: 200 {status: ok}; /readyz with no check: ready", async () => {
    const app = await appWith([]);
    expect(await probe(app, "/healthz")).toEqual([200, { status: "ok" }, "no-store"]);
    expect(await probe(app)).toEqual([200, { status: "ready", checks: {} }, "no-store"]);
  });

  it("every check passes: 200 naming each; one fails: 503 with a detail naming it and its reason", async () => {
    const app = await appWith([steerable("store", () => undefined), steerable("jwks", () => Promise.resolve("the JWKS has no keys"))]);
    expect(await probe(app)).toEqual([503, { detail: "Not ready: jwks (the JWKS has no keys)", checks: { store: "ok", jwks: "the JWKS has no keys" } }, "no-store"]);
    const ok = await appWith([steerable("store", () => undefined), steerable("jwks", async () => undefined)]);
    expect(await probe(ok)).toEqual([200, { status: "ready", checks: { store: "ok", jwks: "ok" } }, "no-store"]);
  });

  it("a check that throws is not ready: an exposed error shows its message, any other shows 'check failed' and is logged at warn", async () => {
    const app = await appWith([
      steerable("store", () => Promise.reject(new HTTPException(503, "the store is unavailable: disk I/O error"))),
      steerable("cache", () => {
        throw new Error("connect ECONNREFUSED 10.0.0.7:6379 password=hunter2");
      }),
    ]);
    const [status, body] = await probe(app);
    expect([status, body]).toEqual([503, { detail: "Not ready: store (the store is unavailable: disk I/O error), cache (check failed)", checks: { store: "the store is unavailable: disk I/O error", cache: "check failed" } }]);
    expect(app.logger.warnings.map((w) => [w.message, w.fields?.event, (w.fields?.err as Error).message])).toEqual([['readiness check "cache" failed', "health.check_failed", "connect ECONNREFUSED 10.0.0.7:6379 password=hunter2"]]);
  });

  it("a check that hangs is not ready once web.readiness_timeout_ms has passed: /readyz never hangs", async () => {
    const app = await appWith([steerable("store", () => new Promise<undefined>(() => {}))], [], { readiness_timeout_ms: 50 });
    const started = performance.now();
    expect(await probe(app)).toEqual([503, { detail: "Not ready: store (timed out after 50 ms)", checks: { store: "timed out after 50 ms" } }, "no-store"]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("anonymous: an extension that guards every route does not guard them", async () => {
    const app = await appWith([], [DenyAll]);
    expect((await app.web.hono.request("/api/ping")).status).toBe(401);
    expect((await app.web.hono.request("/healthz")).status).toBe(200);
    expect((await app.web.hono.request("/readyz")).status).toBe(200);
  });

  it("are not in the OpenAPI document (operations, not API), and a controller route on their path is a conflict at boot", async () => {
    const app = await appWith([]);
    expect(Object.keys(app.web.openApiDocument().paths)).toEqual(["/api/ping"]);
    @controller()
    class Mine {
      @get("/healthz")
      mine(): string {
        return "mine";
      }
    }
    const container = await PicoContainer.create({ components: [WebSettings, Mine] });
    expect(() => buildWebApp(container, [Mine], recordingLogger())).toThrow(RouteConflictError);
    expect(() => buildWebApp(container, [Mine], recordingLogger())).toThrow("GET /healthz is declared twice: by the health probes and by Mine.mine");
  });

  it("POST /readyz is 405 with Allow: GET, HEAD", async () => {
    const app = await appWith([]);
    const res = await app.web.hono.request("/readyz", { method: "POST" });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });
});

describe("readinessProbe", () => {
  it("runs the checks at most once per READINESS_CACHE_MS after an answer, and probes during a run share it", async () => {
    let clock = 0;
    let release: (reason: string | undefined) => void = () => {};
    const check = steerable("store", () => new Promise<string | undefined>((resolve) => (release = resolve)));
    const run = readinessProbe([check], 5000, recordingLogger(), () => clock);
    const [first, second] = [run(), run()];
    clock = 3000; // the run takes 3 s: still the same one
    const third = run();
    await new Promise((resolve) => setImmediate(resolve)); // the check starts on a later tick
    release("down");
    expect(await Promise.all([first, second, third])).toEqual(Array(3).fill({ ready: false, checks: { store: "down" } }));
    expect(check.runs).toBe(1);
    clock = 3000 + READINESS_CACHE_MS - 1;
    await run();
    expect(check.runs).toBe(1);
    clock = 3000 + READINESS_CACHE_MS;
    const again = run();
    await new Promise((resolve) => setImmediate(resolve));
    release(undefined);
    expect([await again, check.runs]).toEqual([{ ready: true, checks: { store: "ok" } }, 2]);
  });

  it("a check that throws what the logger cannot render, or answers a non-string, is not ready, and the next probe runs it again (never a stuck 500)", async () => {
    let clock = 0;
    const weird = { get message(): string { throw new Error("getter"); } };
    const throwing = steerable("odd", () => { throw weird; });
    const answering = steerable("shape", () => ({ not: "a reason" }) as never);
    const logger = { debug() {}, info() {}, error() {}, warn: (_m: string, fields?: LogFields) => void JSON.stringify(fields) };
    const run = readinessProbe([throwing, answering], 1000, logger, () => clock);
    const notReady = { ready: false, checks: { odd: "check failed", shape: "check failed" } };
    expect(await run()).toEqual(notReady);
    clock = READINESS_CACHE_MS;
    expect(await run()).toEqual(notReady);
    expect([throwing.runs, answering.runs]).toEqual([2, 2]);
  });
});

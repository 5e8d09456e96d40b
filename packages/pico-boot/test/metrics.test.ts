import { connect } from "node:net";
import { ConfigurationError, METRICS, component, noMetrics } from "pico-ioc";
import type { ConfigProblem, Metrics } from "pico-ioc";
import type { Hono } from "hono";
import { HTTPException, WEB_EXTENSION, controller, get } from "pico-hono";
import type { WebExtension } from "pico-hono";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../test-support/ports.js";
import { Application } from "../src/index.js";
import type { ApplicationOptions } from "../src/index.js";

@controller({ prefix: "/api" })
class ItemController {
  @get("/items/:id")
  item(): { ok: boolean } {
    return { ok: true };
  }

  @get("/broken")
  broken(): never {
    throw new Error("a bug");
  }

  @get("/teapot")
  teapot(): never {
    throw new HTTPException(418, "short and stout");
  }
}

/** A route an extension adds itself, outside any controller (like the example's sign-in page). */
@component({ provides: WEB_EXTENSION })
class StaticFiles implements WebExtension {
  configureApp(app: Hono): void {
    app.get("/static/*", (c) => c.text("file"));
  }
}

/** A METRICS that records which instruments are made (and counts nothing). */
function recordingMetrics(): Metrics & { made: string[] } {
  const made: string[] = [];
  return {
    made,
    counter: (name) => (made.push(name), noMetrics.counter(name, "")),
    histogram: (name) => (made.push(name), noMetrics.histogram(name, "")),
  };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
/** The problems of a ConfigurationError, thrown as such or by a component's constructor (then the cause of a ComponentInitError). */
function configProblemsOf(error: unknown): readonly ConfigProblem[] | undefined {
  return [error, (error as Error | undefined)?.cause].find((e) => e instanceof ConfigurationError)?.problems;
}

const apps: Application[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

function app(web: Record<string, unknown>, options: Partial<ApplicationOptions> = {}): Application {
  const made = new Application({ components: [ItemController, StaticFiles], autoPlugins: false, env: {}, logger: quiet, config: { web }, ...options });
  apps.push(made);
  return made;
}

/** The sample line of `series` (name and labels exactly as prom-client writes them), as a number; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const durationCount = (route: string, status: number) => `pico_http_request_duration_seconds_count{method="GET",route="${route}",status="${status}"}`;

describe("GET /metrics", () => {
  it("is off by default: 404, and no request is timed (no instrument is even made)", async () => {
    const metrics = recordingMetrics();
    const off = app({}, { overrides: [{ provide: METRICS, useValue: metrics }] });
    const res = await off.request("/metrics");
    expect([res.status, await res.json()]).toEqual([404, { detail: "Not Found" }]);
    await off.request("/api/items/1");
    expect(metrics.made).toEqual([]);
    const on = app({ metrics: true }, { overrides: [{ provide: METRICS, useValue: recordingMetrics() }] });
    await on.init();
    expect((on.container.get(METRICS) as ReturnType<typeof recordingMetrics>).made).toEqual(["pico_http_request_duration_seconds"]);
  });

  it("labels: errors with the status answered, HEAD as HEAD, built-in and extension routes by their template, 405 as unmatched", async () => {
    const on = app({ metrics: true });
    const statuses = [];
    for (const [path, method] of [["/api/broken", "GET"], ["/api/teapot", "GET"], ["/api/items/9", "HEAD"], ["/healthz", "GET"], ["/static/a/b.css", "GET"], ["/api/items/9", "POST"]] as const) {
      statuses.push((await on.request(path, { method })).status);
    }
    expect(statuses).toEqual([500, 418, 200, 200, 200, 405]);
    const text = await (await on.request("/metrics")).text();
    expect(
      [
        durationCount("/api/broken", 500),
        durationCount("/api/teapot", 418),
        'pico_http_request_duration_seconds_count{method="HEAD",route="/api/items/:id",status="200"}',
        durationCount("/healthz", 200),
        durationCount("/static/*", 200),
        'pico_http_request_duration_seconds_count{method="POST",route="unmatched",status="405"}',
      ].map((series) => sample(text, series)),
    ).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("web.metrics: Prometheus text with request durations by method, route template and status, unmatched paths folded into one label, and Node's process metrics", async () => {
    const on = app({ metrics: true });
    for (const id of ["1", "2", "3"]) expect((await on.request(`/api/items/${id}`)).status).toBe(200);
    expect((await on.request("/no/such/path")).status).toBe(404);
    expect((await on.request("/elsewhere")).status).toBe(404);
    const res = await on.request("/metrics");
    const text = await res.text();
    expect([res.status, res.headers.get("content-type"), res.headers.get("cache-control")]).toEqual([200, "text/plain; version=0.0.4; charset=utf-8", "no-store"]);
    expect([sample(text, durationCount("/api/items/:id", 200)), sample(text, durationCount("unmatched", 404))]).toEqual([3, 2]);
    expect(text).toContain("# TYPE pico_http_request_duration_seconds histogram");
    expect(text).not.toContain("/no/such/path");
    expect([sample(text, "nodejs_heap_size_total_bytes")! > 0, sample(text, "process_cpu_user_seconds_total")! >= 0]).toEqual([true, true]);
  });

  it("turns on from the environment (WEB__METRICS), read before the container is built", async () => {
    const on = app({}, { env: { WEB__METRICS: "true" } });
    expect((await on.request("/metrics")).status).toBe(200);
  });

  it("two Applications in one process count apart, each in a registry of its own", async () => {
    const [a, b] = [app({ metrics: true }), app({ metrics: true })];
    await a.request("/api/items/1");
    await a.request("/api/items/2");
    await b.request("/api/items/1");
    const ta = await (await a.request("/metrics")).text();
    const tb = await (await b.request("/metrics")).text();
    expect([sample(ta, durationCount("/api/items/:id", 200)), sample(tb, durationCount("/api/items/:id", 200))]).toEqual([2, 1]);
  });

  it("web.metrics_bearer: 401 JSON without it or with another token, 200 with it", async () => {
    const secured = app({ metrics: true, metrics_bearer: "s3cret-metrics-token" });
    const none = await secured.request("/metrics");
    expect([none.status, await none.json(), none.headers.get("www-authenticate")]).toEqual([401, { detail: "Not authenticated: /metrics requires the metrics bearer token" }, 'Bearer realm="metrics"']);
    for (const header of ["Bearer s3cret-metrics-token-", "Bearer s3cret", "Basic s3cret-metrics-token", "s3cret-metrics-token"]) {
      expect((await secured.request("/metrics", { headers: { authorization: header } })).status).toBe(401);
    }
    expect((await secured.request("/metrics", { headers: { authorization: "Bearer s3cret-metrics-token" } })).status).toBe(200);
    expect((await secured.request("/api/items/1")).status).toBe(200);
  });

  it("a bearer with metrics on a port of their own, or an empty bearer, fails boot naming web.metrics_bearer", async () => {
    for (const web of [{ metrics: true, metrics_port: 9, metrics_bearer: "s3cret-metrics-token" }, { metrics: true, metrics_bearer: "" }, { metrics: true, metrics_bearer: "two words" }]) {
      const error = await app(web).init().then(() => undefined, (e: unknown) => e);
      expect(configProblemsOf(error)?.map((p) => p.path)).toEqual(["web.metrics_bearer"]);
    }
  });

  it("a bad trusted proxy and a bad bearer are reported together (one ConfigurationError), not the first one alone", async () => {
    const error = await app({ metrics: true, metrics_bearer: "", trusted_proxies: ["loopback", "10.0.0.0/33"] }).init().then(() => undefined, (e: unknown) => e);
    expect(configProblemsOf(error)?.map((p) => p.path)).toEqual(["web.trusted_proxies", "web.metrics_bearer"]);
  });

  it("web.metrics_port: /metrics on a listener of its own, started and stopped with the app; the main port does not serve it", async () => {
    const metricsPort = await freePort();
    const separate = app({ metrics: true, metrics_port: metricsPort });
    const { url, metricsUrl } = await separate.start({ port: 0, host: "127.0.0.1" });
    expect(metricsUrl).toBe(`http://127.0.0.1:${metricsPort}`);
    await fetch(`${url}/api/items/7`);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const res = await fetch(`${metricsUrl}/metrics`);
    expect([res.status, sample(await res.text(), durationCount("/api/items/:id", 200))]).toEqual([200, 1]);
    const other = await fetch(`${metricsUrl}/api/items/7`);
    expect([other.status, await other.json()]).toEqual([404, { detail: "Not Found" }]);
    await separate.stop();
    await expect(refused(metricsPort)).resolves.toBe(true);
  });

  it("a metrics_port already in use fails start() and leaves no main listener behind", async () => {
    const port = await freePort();
    const holder = app({});
    await holder.start({ port, host: "127.0.0.1" });
    const clash = app({ metrics: true, metrics_port: port });
    const mainPort = await freePort();
    const error = await clash.start({ port: mainPort, host: "127.0.0.1" }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: string }).code).toBe("LISTEN_FAILED");
    expect((error as Error).message).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens there); choose another with web.metrics_port (WEB__METRICS_PORT), or another address with HOST`,
    );
    await expect(refused(mainPort)).resolves.toBe(true);
  });

  it("a metrics_port equal to the main port fails start() naming web.metrics_port, before anything listens", async () => {
    const port = await freePort();
    const same = app({ metrics: true, metrics_port: port });
    const error = await same.start({ port, host: "127.0.0.1" }).then(() => undefined, (e: unknown) => e);
    expect(configProblemsOf(error)).toEqual([
      { path: "web.metrics_port", message: `is the main port too (${port}, PORT); choose another port for /metrics with web.metrics_port (WEB__METRICS_PORT), or 0 to serve it on the main port` },
    ]);
    await expect(refused(port)).resolves.toBe(true);
    // PORT=0 picks a free port, never the metrics one: nothing to refuse.
    await expect(app({ metrics: true, metrics_port: port }).start({ port: 0, host: "127.0.0.1" })).resolves.toMatchObject({ metricsUrl: `http://127.0.0.1:${port}` });
  });
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

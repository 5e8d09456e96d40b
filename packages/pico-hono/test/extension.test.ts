import type { Hono, MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import { DecoratorMisuseError, component } from "pico-ioc";
import { HTTPException, WEB_EXTENSION, controller, get, setRouteMetadata } from "../src/index.js";
import type { RouteDefinition, RouteInterceptor, WebExtension } from "../src/index.js";
import { json, webApp } from "./web-app.js";

const ROLE = Symbol("role");
const requiresRole = (role: string) => setRouteMetadata(ROLE, role);

@requiresRole("user")
@controller({ prefix: "/x", tags: ["X"] })
class Guarded {
  @requiresRole("admin")
  @get("/above")
  above() {
    return "above";
  }

  @get("/below")
  @requiresRole("auditor")
  below() {
    return "below";
  }

  @get("/inherited", { tags: ["Extra"] })
  inherited() {
    return "inherited";
  }
}

const trace: string[] = [];
function recordingExtension(name: string, order?: number): WebExtension {
  return {
    order,
    configureApp(app: Hono) {
      app.use("*", async (_c, next) => {
        trace.push(`${name}:app`);
        await next();
      });
    },
    routeMiddleware(route: RouteDefinition): MiddlewareHandler {
      return async (c, next) => {
        trace.push(`${name}:route:${route.metadata<string>(ROLE)}`);
        if (c.req.header("x-deny") === name) return c.json({ detail: `denied by ${name}` }, 403);
        await next();
      };
    },
  };
}

@component({ provides: WEB_EXTENSION })
class Late {
  readonly ext = recordingExtension("late", 10);
  readonly order = 10;
  configureApp = this.ext.configureApp;
  routeMiddleware = this.ext.routeMiddleware;
}

@component({ provides: WEB_EXTENSION })
class Early {
  readonly ext = recordingExtension("early", -5);
  readonly order = -5;
  configureApp = this.ext.configureApp;
  routeMiddleware = this.ext.routeMiddleware;
}

function interceptingExtension(name: string, order: number): WebExtension {
  return {
    order,
    interceptRoute(route: RouteDefinition): RouteInterceptor {
      return (c, proceed) => {
        trace.push(`${name}:intercept:${route.metadata<string>(ROLE)}`);
        if (c.req.header("x-deny") === name) return c.json({ detail: `denied by ${name}` }, 403);
        if (c.req.header("x-throw") === name) throw new HTTPException(418, `thrown by ${name}`);
        const response = proceed();
        // Synchronous handlers give a synchronous answer; the header proves the interceptor saw it.
        const tag = (r: Response) => {
          const copy = new Response(r.body, r);
          copy.headers.append("x-seen-by", name);
          return copy;
        };
        return response instanceof Promise ? response.then(tag) : tag(response);
      };
    },
  };
}

@component({ provides: WEB_EXTENSION })
class InterceptFirst {
  readonly order = -10;
  interceptRoute = interceptingExtension("first", -10).interceptRoute;
}

@component({ provides: WEB_EXTENSION })
class InterceptLast {
  readonly order = 20;
  interceptRoute = interceptingExtension("last", 20).interceptRoute;
}

@controller({ prefix: "/i" })
class Intercepted {
  @get("/sync")
  @requiresRole("sync")
  sync() {
    trace.push("handler");
    return { ok: true };
  }

  @get("/async")
  @requiresRole("async")
  async later() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    trace.push("handler");
    return { ok: "later" };
  }

  @get("/fails")
  fails() {
    throw new HTTPException(409, "handler conflict");
  }
}

describe("web extensions", () => {
  it("route metadata is read whatever the decorator order; a method's value wins over its class's", async () => {
    const { routes } = await webApp([Guarded]);
    expect(routes.map((r) => [r.path, r.metadata(ROLE), r.tags])).toEqual([
      ["/x/above", "admin", ["X"]],
      ["/x/below", "auditor", ["X"]],
      ["/x/inherited", "user", ["X", "Extra"]],
    ]);
  });

  it("runs app middleware then route middleware, each by ascending order, then the handler", async () => {
    // Late is loaded first: order, not load order, decides.
    const { hono } = await webApp([Late, Early, Guarded]);
    trace.length = 0;
    expect(await json(await hono.request("/x/above"))).toBe("above");
    expect(trace).toEqual(["early:app", "late:app", "early:route:admin", "late:route:admin"]);

    trace.length = 0;
    const denied = await hono.request("/x/below", { headers: { "x-deny": "early" } });
    expect([denied.status, await json(denied)]).toEqual([403, { detail: "denied by early" }]);
    expect(trace).toEqual(["early:app", "late:app", "early:route:auditor"]);

    // Unmatched requests see app middleware only, never route guards.
    trace.length = 0;
    expect((await hono.request("/x/none")).status).toBe(404);
    expect(trace).toEqual(["early:app", "late:app"]);
  });

  it("interceptors alone wrap the handler as one Hono handler, outermost = lowest order; sync stays sync", async () => {
    const { hono } = await webApp([InterceptLast, InterceptFirst, Intercepted]);
    trace.length = 0;
    const sync = await hono.request("/i/sync");
    expect([sync.status, await json(sync), sync.headers.get("x-seen-by")]).toEqual([200, { ok: true }, "last, first"]);
    expect(trace).toEqual(["first:intercept:sync", "last:intercept:sync", "handler"]);

    trace.length = 0;
    const later = await hono.request("/i/async");
    expect([later.status, await json(later), later.headers.get("x-seen-by")]).toEqual([200, { ok: "later" }, "last, first"]);
    expect(trace).toEqual(["first:intercept:async", "last:intercept:async", "handler"]);

    // One Hono handler per route: nothing composed.
    expect(hono.routes.filter((r) => r.path === "/i/sync").length).toBe(1);

    trace.length = 0;
    const denied = await hono.request("/i/sync", { headers: { "x-deny": "first" } });
    expect([denied.status, await json(denied)]).toEqual([403, { detail: "denied by first" }]);
    expect(trace).toEqual(["first:intercept:sync"]);

    const thrown = await hono.request("/i/sync", { headers: { "x-throw": "last" } });
    expect([thrown.status, await json(thrown)]).toEqual([418, { detail: "thrown by last" }]);
    const fails = await hono.request("/i/fails");
    expect([fails.status, await json(fails)]).toEqual([409, { detail: "handler conflict" }]);
  });

  it("interceptors mixed with route middleware keep the extensions' order", async () => {
    const { hono } = await webApp([Late, InterceptLast, Early, InterceptFirst, Intercepted]);
    trace.length = 0;
    const sync = await hono.request("/i/sync");
    expect([sync.status, await json(sync), sync.headers.get("x-seen-by")]).toEqual([200, { ok: true }, "last, first"]);
    expect(trace).toEqual(["early:app", "late:app", "first:intercept:sync", "early:route:sync", "late:route:sync", "last:intercept:sync", "handler"]);

    trace.length = 0;
    const denied = await hono.request("/i/async", { headers: { "x-deny": "last" } });
    expect([denied.status, await json(denied), denied.headers.get("x-seen-by")]).toEqual([403, { detail: "denied by last" }, "first"]);
    expect(trace).toEqual(["early:app", "late:app", "first:intercept:async", "early:route:async", "late:route:async", "last:intercept:async"]);

    const thrown = await hono.request("/i/sync", { headers: { "x-throw": "first" } });
    expect([thrown.status, await json(thrown)]).toEqual([418, { detail: "thrown by first" }]);
    const fails = await hono.request("/i/fails");
    expect([fails.status, await json(fails)]).toEqual([409, { detail: "handler conflict" }]);
  });

  it("rejects route decorators used wrongly", () => {
    expect(() => get("/x", { stauts: 201 } as never)).toThrow(DecoratorMisuseError);
    expect(() => get("/x", { stauts: 201 } as never)).toThrow('@get: unknown option "stauts"; expected one of status, summary, description, tags, deprecated');
    expect(() => get("no-slash")).toThrow('@get: "path" expected "" or a path starting with "/", got "no-slash"');
    expect(() => get("/x", { status: 101 })).toThrow(/"status" expected an integer from 200 to 599, got 101/);
    expect(() => controller({ prefix: "api" })).toThrow('@controller: "prefix" expected a path starting with "/", got "api"');
    expect(() => controller({ prefix: "/a", dependencies: [] } as never)).toThrow(/unknown option "dependencies"/);
  });
});

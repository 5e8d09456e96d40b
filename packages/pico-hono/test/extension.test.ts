import type { Hono, MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import { DecoratorMisuseError, component } from "pico-ioc";
import { WEB_EXTENSION, controller, get, setRouteMetadata } from "../src/index.js";
import type { RouteDefinition, WebExtension } from "../src/index.js";
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

  it("rejects route decorators used wrongly", () => {
    expect(() => get("/x", { stauts: 201 } as never)).toThrow(DecoratorMisuseError);
    expect(() => get("/x", { stauts: 201 } as never)).toThrow('@get: unknown option "stauts"; expected one of status, summary, description, tags, deprecated');
    expect(() => get("no-slash")).toThrow('@get: "path" expected "" or a path starting with "/", got "no-slash"');
    expect(() => get("/x", { status: 101 })).toThrow(/"status" expected an integer from 200 to 599, got 101/);
    expect(() => controller({ prefix: "api" })).toThrow('@controller: "prefix" expected a path starting with "/", got "api"');
    expect(() => controller({ prefix: "/a", dependencies: [] } as never)).toThrow(/unknown option "dependencies"/);
  });
});

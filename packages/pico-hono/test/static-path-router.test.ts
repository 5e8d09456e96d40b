import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { RequestContext, controller, get, post } from "../src/index.js";
import { StaticPathRouter } from "../src/app/static-path-router.js";
import { json, webApp } from "./web-app.js";

/** The seed app's mix: one route RegExpRouter cannot compile sends SmartRouter to TrieRouter. */
const ROUTES: readonly (readonly [string, string])[] = [
  ["ALL", "*"],
  ["GET", "/api/profile"],
  ["POST", "/api/profile"],
  ["GET", "/api/items/:id"],
  ["GET", "/.well-known/openid-configuration"],
  ["GET", "/:issuerPath{.+}/.well-known/openid-configuration"],
  ["GET", "/vendor/*"],
];

function smart(): SmartRouter<string> {
  return new SmartRouter<string>({ routers: [new RegExpRouter<string>(), new TrieRouter<string>()] });
}

/** Counts the matches that reach the wrapped router. */
class Counting implements Router<string> {
  readonly inner = smart();
  calls = 0;
  get name(): string {
    return this.inner.name;
  }
  add(method: string, path: string, handler: string): void {
    this.inner.add(method, path, handler);
  }
  match(method: string, path: string): Result<string> {
    this.calls++;
    return this.inner.match(method, path);
  }
}

function filled<R extends Router<string>>(router: R): R {
  ROUTES.forEach(([method, path], i) => router.add(method, path, `${i}:${method} ${path}`));
  return router;
}

describe("StaticPathRouter", () => {
  it("answers every path and method as Hono's default router does, TrieRouter in use", () => {
    const memo = filled(new StaticPathRouter<string>());
    const plain = filled(smart());
    const requests = [
      ["GET", "/api/profile"],
      ["POST", "/api/profile"],
      ["DELETE", "/api/profile"],
      ["HEAD", "/api/profile"],
      ["GET", "/api/profile/"],
      ["GET", "/API/profile"],
      ["GET", "/api/items/7"],
      ["GET", "/.well-known/openid-configuration"],
      ["GET", "/tenant/a/.well-known/openid-configuration"],
      ["GET", "/vendor/x.js"],
      ["BREW", "/api/profile"],
      ["GET", "/nowhere"],
    ] as const;
    for (let round = 0; round < 2; round++) {
      for (const [method, path] of requests) expect(memo.match(method, path), `${method} ${path}`).toEqual(plain.match(method, path));
    }
    expect(plain.name).toBe("SmartRouter + TrieRouter");
    expect(memo.name).toBe("StaticPathRouter + SmartRouter + TrieRouter");
  });

  it("asks the router once per method and literal path, every time for the rest", () => {
    const inner = filled(new Counting());
    const memo = new StaticPathRouter<string>(inner);
    ROUTES.forEach(([method, path], i) => memo.add(method, path, `${i}`));
    const first = memo.match("GET", "/api/profile");
    expect(memo.match("GET", "/api/profile")).toBe(first);
    memo.match("POST", "/api/profile");
    memo.match("POST", "/api/profile");
    expect(inner.calls).toBe(2);
    // Parameters, unregistered paths and made-up methods go to the router each time: nothing for a client to fill.
    for (const [method, path] of [["GET", "/api/items/7"], ["GET", "/api/profile2"], ["BREW", "/api/profile"]] as const) {
      const before = inner.calls;
      memo.match(method, path);
      memo.match(method, path);
      expect(inner.calls - before, `${method} ${path}`).toBe(2);
    }
  });

  it("forgets what it remembered when a route is added to an inner router that still accepts one", () => {
    // SmartRouter refuses routes after its first match; TrieRouter alone accepts them.
    const memo = new StaticPathRouter<string>(new TrieRouter<string>());
    memo.add("GET", "/api/profile", "first");
    expect(memo.match("GET", "/api/profile")[0].map(([handler]) => handler)).toEqual(["first"]);
    memo.add("GET", "/api/profile", "second");
    expect(memo.match("GET", "/api/profile")[0].map(([handler]) => handler)).toEqual(["first", "second"]);
  });

  it("routes a web app with a TrieRouter-only route: literal, parameter and regex routes alike", async () => {
    @controller({ prefix: "/api" })
    class Api {
      @get("/profile")
      profile() {
        return { at: "profile" };
      }
      @post("/profile")
      update() {
        return { at: "update" };
      }
      @get("/items/:id")
      item(ctx: RequestContext<"/items/:id">) {
        return { at: "item", id: ctx.params.id };
      }
      @get("/:rest{.+}/.well-known/thing")
      thing(ctx: RequestContext) {
        return { at: "thing", rest: ctx.params.rest };
      }
    }
    const { hono } = await webApp([Api]);
    for (let round = 0; round < 2; round++) {
      expect(await json(await hono.request("/api/profile"))).toEqual({ at: "profile" });
      expect(await json(await hono.request("/api/profile", { method: "POST" }))).toEqual({ at: "update" });
      expect(await json(await hono.request("/api/items/7"))).toEqual({ at: "item", id: "7" });
      expect(await json(await hono.request("/api/a/b/.well-known/thing"))).toEqual({ at: "thing", rest: "a/b" });
      const wrongMethod = await hono.request("/api/profile", { method: "DELETE" });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get("allow")).toBe("GET, POST, HEAD");
    }
    expect(hono.router.name).toBe("StaticPathRouter + SmartRouter + TrieRouter");
  });
});

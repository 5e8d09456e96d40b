import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

/** Hono's path syntax: `:param`, `*`, `{regex}`, `?` (optional). A path with none of them is one URL. */
const DYNAMIC = /[:*{?]/;
/** Only these methods are remembered: a client's made-up method must not grow the memo. */
const REMEMBERED_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Hono's default router (SmartRouter: RegExpRouter, else TrieRouter), with its answer remembered
 * for every path that some route or middleware was registered at literally (`/api/profile`).
 *
 * Why: one route that RegExpRouter cannot compile (pico-server-auth's
 * `/:issuerPath{.+}/.well-known/openid-configuration`) makes SmartRouter fall back to TrieRouter for
 * every route, and TrieRouter splits and walks the path on each request (≈ 1.5 µs, 4 % of a cached
 * GET). A router's answer depends on the method and path only, and stops changing once it has
 * matched (SmartRouter then refuses new routes), so a remembered answer is the one it would give:
 * RegExpRouter shares its static answers between requests in the same way. The memo holds at most
 * one entry per method above and registered literal path: requests cannot grow it.
 */
export class StaticPathRouter<T> implements Router<T> {
  readonly #inner: Router<T>;
  readonly #literalPaths = new Set<string>();
  readonly #memo = new Map<string, Map<string, Result<T>>>();

  constructor(inner: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] })) {
    this.#inner = inner;
  }

  get name(): string {
    return `StaticPathRouter + ${this.#inner.name}`;
  }

  add(method: string, path: string, handler: T): void {
    this.#inner.add(method, path, handler);
    if (!DYNAMIC.test(path)) this.#literalPaths.add(path);
    // SmartRouter refuses a route once it has matched (the add above throws), but an inner router
    // given to the constructor may accept one: what was remembered may no longer be its answer.
    this.#memo.clear();
  }

  match(method: string, path: string): Result<T> {
    if (!this.#literalPaths.has(path) || !REMEMBERED_METHODS.has(method)) return this.#inner.match(method, path);
    let byPath = this.#memo.get(method);
    if (!byPath) this.#memo.set(method, (byPath = new Map()));
    let result = byPath.get(path);
    if (!result) {
      result = this.#inner.match(method, path);
      byPath.set(path, result);
    }
    return result;
  }
}

import type { Constructor } from "pico-ioc";
import { readRouteMetadata } from "../metadata/route-metadata.js";
import type { HttpMethod, RouteOptions } from "../metadata/routes.js";

/** A route as extensions and docs see it, after the controller prefix is applied. */
export interface RouteDefinition {
  readonly method: HttpMethod;
  /** Full path in Hono syntax, e.g. `/api/items/:id`. */
  readonly path: string;
  readonly controller: Constructor;
  readonly handlerName: string;
  readonly options: RouteOptions;
  /** Controller tags followed by the route's own. */
  readonly tags: readonly string[];
  /** Value set with `setRouteMetadata(key, …)` on the method, else on the controller class. */
  metadata<T = unknown>(key: symbol): T | undefined;
}

export function createRouteDefinition(fields: Omit<RouteDefinition, "metadata">): RouteDefinition {
  return {
    ...fields,
    metadata: <T>(key: symbol) => readRouteMetadata(fields.controller, fields.handlerName, key) as T | undefined,
  };
}

export function joinPath(prefix: string, path: string): string {
  const joined = `${prefix}${path}`;
  return joined === "" ? "/" : joined;
}

/**
 * Orders routes so that static segments win over parameters and parameters over wildcards, segment
 * by segment; routes of equal shape keep declaration order (Hono matches in registration order).
 */
export function inMatchingOrder<T extends { readonly path: string }>(routes: readonly T[]): T[] {
  const ranked = routes.map((route, index) => ({ route, index, ranks: segmentRanks(route.path) }));
  ranked.sort((a, b) => compareRanks(a.ranks, b.ranks) || a.index - b.index);
  return ranked.map((r) => r.route);
}

/** Two paths that match the same requests, whatever their parameter names. */
export function pathShape(path: string): string {
  return path.replace(/:[^/{]+(\{[^}]*\})?/g, (_m, pattern: string | undefined) => `:${pattern ?? ""}`);
}

function segmentRanks(path: string): number[] {
  return path
    .split("/")
    .slice(1)
    .map((segment) => (segment.startsWith(":") ? 1 : segment.includes("*") ? 2 : 0));
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

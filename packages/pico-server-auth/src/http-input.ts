import { createHash, timingSafeEqual } from "node:crypto";
import { ANONYMOUS } from "pico-client-auth/contract";
import { setRouteMetadata } from "pico-hono";
import type { RequestContext } from "pico-hono";
import { badRequest } from "./errors.js";

// pico-client-auth's @allowAnonymous, by the key its contract defines (the guard itself is not loaded).
export const allowAnonymous = setRouteMetadata(ANONYMOUS, true);

export async function jsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  return asObject(await ctx.json());
}

export function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("expected a JSON object body");
  return body as Record<string, unknown>;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(ctx: RequestContext): string | undefined {
  return /^Bearer +(\S+)\s*$/i.exec(ctx.header("authorization") ?? "")?.[1];
}

/** Responses that carry tokens or credentials must not be kept by caches (RFC 6749 §5.1; Pragma for HTTP/1.0 ones). */
export function noStore(ctx: RequestContext): void {
  ctx.setHeader("Cache-Control", "no-store");
  ctx.setHeader("Pragma", "no-cache");
}

/**
 * Public documents that verifiers read (key sets, discovery metadata): any cache may keep them five
 * minutes. A verifier that meets a token of a key it does not know yet (a rotation) rereads them
 * anyway, its cooldown permitting.
 */
export function cachePublicly(ctx: RequestContext): void {
  ctx.setHeader("Cache-Control", "public, max-age=300");
}

/** Compares secrets in constant time, whatever their lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

import { beforeAll, describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { component } from "pico-ioc";
import { LOCAL_REVOCATIONS } from "../src/index.js";
import type { LocalRevocations } from "../src/index.js";
import { authApp, authConfig, bearer } from "./app.js";
import { recordingLogger } from "./support/logger.js";
import { defaultClaims, rsaKey, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

@controller()
class Private {
  @get("/private")
  private() {
    return { ok: true };
  }
}

const UNAVAILABLE = { status: 503, body: { detail: "Token revocation list unavailable" }, retryAfter: "1" };
const REVOKED = { status: 401, body: { detail: "Token revoked" }, retryAfter: null };
const OK = { status: 200, body: { ok: true }, retryAfter: null };

let key: ClassicalKey;
beforeAll(async () => {
  key = await rsaKey("k1");
});

/** A stand-in for pico-server-auth's list, whose last sync the test sets. */
function inProcessServer(view: { syncedAt: number; revoked: Set<string> }) {
  @component({ provides: LOCAL_REVOCATIONS })
  class InProcessRevocations implements LocalRevocations {
    readonly issuer = authConfig.issuer;
    get syncedAt(): number {
      return view.syncedAt;
    }
    isRevoked(jti: string): boolean {
      return view.revoked.has(jti);
    }
  }
  return InProcessRevocations;
}

function app(view: { syncedAt: number; revoked: Set<string> }, failOpen: boolean) {
  const logger = recordingLogger();
  const a = authApp([Private, inProcessServer(view)], staticKeySource([key.jwk]), {
    logger,
    config: { auth_client: { ...authConfig, revocation_ttl_seconds: 2, revocation_fail_open: failOpen } },
  });
  return { a, logger };
}

async function call(a: ReturnType<typeof authApp>, jti: string) {
  const res = await a.request("/private", bearer(await sign(key, defaultClaims({ jti }))));
  return { status: res.status, body: (await res.json()) as unknown, retryAfter: res.headers.get("retry-after") };
}

describe("the in-process revocation list, synced with other instances through a shared store", () => {
  it("a view older than revocation_ttl_seconds answers 503 until it is synced again; a revoked jti is refused however old the view", async () => {
    const view = { syncedAt: Date.now(), revoked: new Set(["revoked-here"]) };
    const { a, logger } = app(view, false);
    expect(await call(a, "fresh")).toEqual(OK);
    view.syncedAt = Date.now() - 2_500;
    expect(await call(a, "fresh")).toEqual(UNAVAILABLE);
    expect(await call(a, "other")).toEqual(UNAVAILABLE);
    expect(await call(a, "revoked-here")).toEqual(REVOKED);
    view.syncedAt = Date.now();
    expect(await call(a, "fresh")).toEqual(OK);
    expect(await call(a, "revoked-here")).toEqual(REVOKED);
    // Once per outage: when the view went stale, and when it was synced again.
    expect(logger.lines.filter((l) => l.includes("revocation list"))).toEqual([
      "warn: pico-client-auth: the in-process auth server's revocation list was last synced 3 s ago, more than revocation_ttl_seconds; answering 503 to every token until it syncs again",
      "info: pico-client-auth: the in-process auth server's revocation list is synced again",
    ]);
    await a.stop();
  });

  it("with revocation_fail_open, a stale view still refuses what it lists and accepts the rest, warned once per outage", async () => {
    const view = { syncedAt: Date.now() - 60_000, revoked: new Set(["revoked-here"]) };
    const { a, logger } = app(view, true);
    expect(await call(a, "fresh")).toEqual(OK);
    expect(await call(a, "other")).toEqual(OK);
    expect(await call(a, "revoked-here")).toEqual(REVOKED);
    expect(logger.lines.filter((l) => l.startsWith("warn:"))).toEqual([
      "warn: pico-client-auth: the in-process auth server's revocation list was last synced 60 s ago, more than revocation_ttl_seconds; fail-open: checking tokens against the revocations it has",
    ]);
    await a.stop();
  });
});

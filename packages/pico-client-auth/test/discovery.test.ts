import type { JWK } from "jose";
import type { Logger } from "pico-ioc";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_JWKS_PATH, OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH } from "../src/contract.js";
import { AuthClientError } from "../src/errors.js";
import { DiscoveryError, IssuerDiscovery, oauthMetadataUrl, openidConfigurationUrl } from "../src/keys/discovery.js";
import { RemoteJwks } from "../src/keys/remote-jwks.js";
import { standInIdp } from "./support/idp.js";
import type { StandInIdp } from "./support/idp.js";

const A: JWK = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "a", alg: "EdDSA" };
const B: JWK = { kty: "OKP", crv: "Ed25519", x: "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08", kid: "b", alg: "EdDSA" };

let idp: StandInIdp;
beforeEach(async () => {
  idp = await standInIdp();
});
afterEach(() => idp.close());

/** Log lines as `[level, event, fields]`. */
function eventLogger(): Logger & { events: [string, unknown, Record<string, unknown>][] } {
  const events: [string, unknown, Record<string, unknown>][] = [];
  const record = (level: string) => (_message: string, fields?: Record<string, unknown>) => void events.push([level, fields?.event, fields ?? {}]);
  return { events, debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}

/** A RemoteJwks discovering from `issuer` (default: the IdP's origin) on a fake clock: TTL 60 s, cooldown 30 s. */
function discovering(options: { issuer?: string; timeoutMs?: number } = {}) {
  const clock = { now: 0 };
  const logger = eventLogger();
  const timing = { ttlMs: 60_000, cooldownMs: 30_000, timeoutMs: options.timeoutMs ?? 2000, logger, now: () => clock.now };
  const jwks = new RemoteJwks({ url: new IssuerDiscovery({ issuer: options.issuer ?? idp.origin, ...timing }), ...timing });
  return { jwks, clock, logger };
}

/** The document routes: `{issuer, jwks_uri}` at `path`, keys at `/keys`. */
function serve(path: string, document: Record<string, unknown>, keys: JWK[] = [A]): void {
  idp.routes.set(path, { body: document });
  idp.routes.set("/keys", { body: { keys } });
}

/** The 503 a failed discovery gives, as `[code, status, cause reason, cause message]`. */
async function discoveryFailure(result: unknown): Promise<unknown[]> {
  const error = await Promise.resolve(result).then(() => "resolved", (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthClientError);
  const { code, status, cause } = error as AuthClientError;
  expect(cause).toBeInstanceOf(DiscoveryError);
  return [code, status, (cause as DiscoveryError).reason, (cause as DiscoveryError).message];
}

describe("where the documents are", () => {
  it("RFC 8414 puts the well-known path before the issuer's path, OIDC after the whole issuer", () => {
    expect(oauthMetadataUrl("https://idp.example.com")).toBe("https://idp.example.com/.well-known/oauth-authorization-server");
    expect(oauthMetadataUrl("https://idp.example.com/")).toBe("https://idp.example.com/.well-known/oauth-authorization-server");
    expect(oauthMetadataUrl("https://idp.example.com:8443/realms/acme")).toBe("https://idp.example.com:8443/.well-known/oauth-authorization-server/realms/acme");
    expect(oauthMetadataUrl("https://idp.example.com/realms/acme/")).toBe("https://idp.example.com/.well-known/oauth-authorization-server/realms/acme");
    expect(openidConfigurationUrl("https://idp.example.com")).toBe("https://idp.example.com/.well-known/openid-configuration");
    expect(openidConfigurationUrl("https://idp.example.com/realms/acme/")).toBe("https://idp.example.com/realms/acme/.well-known/openid-configuration");
  });
});

describe("discovery against a stand-in IdP", () => {
  it("RFC 8414 metadata found: its jwks_uri is used, OIDC is not asked; logged once as discovered", async () => {
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    const { jwks, logger } = discovering();
    expect(await jwks.getKeySet()).toEqual({ keys: [A], version: 1 });
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, "/keys"]);
    expect(logger.events).toEqual([["info", "auth.jwks_discovered", { event: "auth.jwks_discovered", issuer: idp.origin, jwks_uri: `${idp.origin}/keys`, source: "oauth-authorization-server" }]]);
  });

  it("only the OIDC document found: RFC 8414's 404 moves on to it", async () => {
    serve(OPENID_CONFIGURATION_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    const { jwks, logger } = discovering();
    expect(await jwks.getKeySet()).toEqual({ keys: [A], version: 1 });
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, "/keys"]);
    expect(logger.events.map(([, , fields]) => fields.source)).toEqual(["openid-configuration"]);
  });

  it("an issuer with a path: RFC 8414 at /.well-known/oauth-authorization-server/<path>, OIDC at <issuer>/.well-known/openid-configuration", async () => {
    const issuer = `${idp.origin}/realms/acme`;
    serve(`/realms/acme${OPENID_CONFIGURATION_PATH}`, { issuer, jwks_uri: `${idp.origin}/keys` });
    expect(await discovering({ issuer }).jwks.getKeySet()).toEqual({ keys: [A], version: 1 });
    expect(idp.requests).toEqual([`${OAUTH_METADATA_PATH}/realms/acme`, `/realms/acme${OPENID_CONFIGURATION_PATH}`, "/keys"]);

    idp.requests.length = 0;
    serve(`${OAUTH_METADATA_PATH}/realms/acme`, { issuer, jwks_uri: `${idp.origin}/keys` }, [B]);
    expect(await discovering({ issuer }).jwks.getKeySet()).toEqual({ keys: [B], version: 1 });
    expect(idp.requests).toEqual([`${OAUTH_METADATA_PATH}/realms/acme`, "/keys"]);
  });

  it("both documents 404: the key set at {issuer}/api/v1/auth/jwks (upstream's server), with or without a path", async () => {
    idp.routes.set(DEFAULT_JWKS_PATH, { body: { keys: [A] } });
    const { jwks, logger } = discovering();
    expect(await jwks.getKeySet()).toEqual({ keys: [A], version: 1 });
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, DEFAULT_JWKS_PATH]);
    expect(logger.events.map(([level, event, fields]) => [level, event, fields.source, fields.jwks_uri])).toEqual([["info", "auth.jwks_discovered", "fallback", `${idp.origin}${DEFAULT_JWKS_PATH}`]]);

    idp.requests.length = 0;
    idp.routes.set(`/base${DEFAULT_JWKS_PATH}`, { body: { keys: [B] } });
    expect(await discovering({ issuer: `${idp.origin}/base/` }).jwks.getKeySet()).toEqual({ keys: [B], version: 1 });
    expect(idp.requests).toEqual([`${OAUTH_METADATA_PATH}/base`, `/base${OPENID_CONFIGURATION_PATH}`, `/base${DEFAULT_JWKS_PATH}`]);
  });

  it("a document naming another issuer is refused: 503, logged, neither its jwks_uri nor the next document is read", async () => {
    for (const issuer of ["https://evil.example.com", `${idp.origin}/`, idp.origin.toUpperCase(), undefined, "x".repeat(300)]) {
      idp.requests.length = 0;
      serve(OAUTH_METADATA_PATH, { issuer, jwks_uri: `${idp.origin}/keys` });
      serve(OPENID_CONFIGURATION_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
      const { jwks, logger } = discovering();
      const url = `${idp.origin}${OAUTH_METADATA_PATH}`;
      expect(await discoveryFailure(jwks.getKeySet())).toEqual([
        "KEYS_UNAVAILABLE",
        503,
        "issuer_mismatch",
        `${url} names issuer ${issuer === undefined ? "undefined" : `"${issuer}"`.replace(/^(.{200}).+$/, "$1...")}, not the configured "${idp.origin}"; refused`,
      ]);
      expect(idp.requests).toEqual([OAUTH_METADATA_PATH]);
      expect(logger.events.map(([level, event, fields]) => [level, event, fields.reason, fields.url, fields.issuer, fields.kept_last])).toEqual([
        ["warn", "auth.discovery_failed", "issuer_mismatch", url, idp.origin, false],
      ]);
    }
  });

  it("a jwks_uri that is not an absolute https URL (http only on loopback), or is missing, is refused", async () => {
    const cases: [unknown, string][] = [
      ["http://keys.example.com/jwks", "must use https (plain http only on localhost), got http://keys.example.com/jwks"],
      ["/keys", 'must be an absolute URL, got "/keys"'],
      ["https://user:pw@keys.example.com/jwks", "must not contain credentials (user:password@)"],
      ["ftp://127.0.0.1/keys", "must use https (plain http only on localhost), got ftp://127.0.0.1/keys"],
    ];
    const url = `${idp.origin}${OAUTH_METADATA_PATH}`;
    for (const [jwksUri, problem] of cases) {
      serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: jwksUri });
      expect(await discoveryFailure(discovering().jwks.getKeySet())).toEqual(["KEYS_UNAVAILABLE", 503, "bad_document", `the "jwks_uri" of ${url} ${problem}`]);
    }
    for (const document of [{ issuer: idp.origin }, { issuer: idp.origin, jwks_uri: 5 }]) {
      serve(OAUTH_METADATA_PATH, document);
      expect(await discoveryFailure(discovering().jwks.getKeySet())).toEqual(["KEYS_UNAVAILABLE", 503, "bad_document", `${url} has no "jwks_uri" string`]);
    }
    for (const body of ["<html>", "[1]", "null"]) {
      idp.routes.set(OAUTH_METADATA_PATH, { body });
      const reason = (await discoveryFailure(discovering().jwks.getKeySet()))[2];
      expect(reason, body).toBe("bad_document");
    }
    expect(idp.requests).not.toContain("/keys");
  });

  it("a 400, 401, 403, 405 or 410 says the document is not there, as a 404 does: the next one is asked", async () => {
    serve(OPENID_CONFIGURATION_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    for (const status of [400, 401, 403, 405, 410]) {
      idp.requests.length = 0;
      idp.routes.set(OAUTH_METADATA_PATH, { status, body: { detail: "no" } });
      expect(await discovering().jwks.getKeySet(), String(status)).toEqual({ keys: [A], version: 1 });
      expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, "/keys"]);
    }
    idp.requests.length = 0;
    idp.routes.set(OPENID_CONFIGURATION_PATH, { status: 403 });
    idp.routes.set(DEFAULT_JWKS_PATH, { body: { keys: [B] } });
    expect(await discovering().jwks.getKeySet()).toEqual({ keys: [B], version: 1 });
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, DEFAULT_JWKS_PATH]);
  });

  it("a 5xx, a 408, a 429 or a redirect is a failure, not a fallback: nothing further is asked", async () => {
    const url = `${idp.origin}${OAUTH_METADATA_PATH}`;
    idp.routes.set(DEFAULT_JWKS_PATH, { body: { keys: [A] } });
    for (const status of [500, 503, 408, 429]) {
      idp.requests.length = 0;
      idp.routes.set(OAUTH_METADATA_PATH, { status, body: { detail: "no" } });
      expect(await discoveryFailure(discovering().jwks.getKeySet())).toEqual(["KEYS_UNAVAILABLE", 503, "unreachable", `discovery document ${url} answered ${status}`]);
      expect(idp.requests).toEqual([OAUTH_METADATA_PATH]);
    }
    idp.requests.length = 0;
    idp.routes.set(OAUTH_METADATA_PATH, { status: 404 });
    idp.routes.set(OPENID_CONFIGURATION_PATH, { status: 502 });
    expect((await discoveryFailure(discovering().jwks.getKeySet()))[2]).toBe("unreachable");
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH]);

    idp.requests.length = 0;
    idp.routes.set(OAUTH_METADATA_PATH, { status: 302, location: `${idp.origin}${OPENID_CONFIGURATION_PATH}` });
    const [, , reason, message] = await discoveryFailure(discovering().jwks.getKeySet());
    expect([reason, message]).toEqual(["unreachable", expect.stringMatching(/^cannot read .*oauth-authorization-server: fetch failed: .*redirect/)]);
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH]);
  });

  it("a discovered jwks_uri (or the fallback) that redirects is not followed: the redirect could lead to plain http, past the rule the jwks_uri passed", async () => {
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/moved` });
    idp.routes.set("/moved", { status: 302, location: `${idp.origin}/keys` });
    const error = (await Promise.resolve(discovering().jwks.getKeySet()).catch((e: unknown) => e)) as AuthClientError;
    expect([error.code, error.status]).toEqual(["KEYS_UNAVAILABLE", 503]);
    expect(idp.requests).not.toContain("/keys");

    idp.requests.length = 0;
    idp.routes.delete(OAUTH_METADATA_PATH);
    idp.routes.set(DEFAULT_JWKS_PATH, { status: 301, location: `${idp.origin}/keys` });
    const fallback = (await Promise.resolve(discovering().jwks.getKeySet()).catch((e: unknown) => e)) as AuthClientError;
    expect([fallback.code, fallback.status]).toEqual(["KEYS_UNAVAILABLE", 503]);
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, DEFAULT_JWKS_PATH]);
  });

  it("a document that does not answer within the timeout is a failure, quickly", async () => {
    idp.routes.set(OAUTH_METADATA_PATH, { hang: true });
    const started = performance.now();
    const error = (await Promise.resolve(discovering({ timeoutMs: 100 }).jwks.getKeySet()).catch((e: unknown) => e)) as AuthClientError;
    expect(performance.now() - started).toBeLessThan(2000);
    const cause = error.cause as DiscoveryError;
    expect([error.status, cause.reason, (cause.cause as Error).name]).toEqual([503, "unreachable", "TimeoutError"]);
  });
});

describe("the discovered document is cached like the key set", () => {
  it("read once per TTL; an unknown kid rereads it and refetches the key set, each at most once per cooldown", async () => {
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    const { jwks, clock, logger } = discovering();
    const first = await jwks.getKeySet();
    clock.now = 59_999;
    expect(jwks.getKeySet()).toBe(first); // fresh: no promise, no request
    idp.routes.set("/keys", { body: { keys: [A, B] } });
    expect(await jwks.getKeySet({ refresh: true })).toEqual({ keys: [A, B], version: 2 });
    clock.now = 60_000;
    await jwks.getKeySet({ refresh: true }); // within the cooldown: nothing fetched
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, "/keys", OAUTH_METADATA_PATH, "/keys"]);
    clock.now = 120_000; // both are stale now
    await jwks.getKeySet();
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, "/keys", OAUTH_METADATA_PATH, "/keys", OAUTH_METADATA_PATH, "/keys"]);
    // The same jwks_uri again is not logged again.
    expect(logger.events.map(([, event]) => event)).toEqual(["auth.jwks_discovered"]);
  });

  it("concurrent first requests share one discovery and one key-set fetch", async () => {
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    const { jwks } = discovering();
    const sets = await Promise.all(Array.from({ length: 20 }, () => jwks.getKeySet()));
    expect([idp.requests, sets.every((s) => s === sets[0])]).toEqual([[OAUTH_METADATA_PATH, "/keys"], true]);
  });

  it("a failed discovery is retried only after the backoff, then recovers", async () => {
    idp.routes.set(OAUTH_METADATA_PATH, { status: 500 });
    const { jwks, clock } = discovering();
    await discoveryFailure(jwks.getKeySet());
    clock.now = 4999;
    await discoveryFailure(jwks.getKeySet({ refresh: true }));
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH]);
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    clock.now = 5000;
    expect(await jwks.getKeySet()).toEqual({ keys: [A], version: 1 });
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, OAUTH_METADATA_PATH, "/keys"]);
  });

  it("a failed rediscovery keeps the last good document (an outage, or a document turned into another issuer's)", async () => {
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    const { jwks, clock, logger } = discovering();
    await jwks.getKeySet();
    for (const [at, route] of [[60_000, { status: 500 }], [120_000, { body: { issuer: "https://evil.example.com", jwks_uri: "https://evil.example.com/keys" } }]] as const) {
      idp.routes.set(OAUTH_METADATA_PATH, route);
      idp.routes.set("/keys", { body: { keys: [A, B] } });
      clock.now = at;
      idp.requests.length = 0;
      expect(await jwks.getKeySet()).toMatchObject({ keys: [A, B] }); // from the last good jwks_uri
      expect(idp.requests).toEqual([OAUTH_METADATA_PATH, "/keys"]);
      idp.routes.set("/keys", { body: { keys: [A] } });
    }
    expect(logger.events.filter(([level]) => level === "warn").map(([, event, fields]) => [event, fields.reason, fields.kept_last])).toEqual([
      ["auth.discovery_failed", "unreachable", true],
      ["auth.discovery_failed", "issuer_mismatch", true],
    ]);
  });

  it("an unknown kid rediscovers first: the signing key may be published at another URL now; a failed fetch keeps the last good set", async () => {
    serve(OAUTH_METADATA_PATH, { issuer: idp.origin, jwks_uri: `${idp.origin}/keys` });
    const { jwks, clock, logger } = discovering();
    const first = await jwks.getKeySet();
    idp.routes.delete("/keys");
    clock.now = 1;
    expect(await jwks.getKeySet({ refresh: true })).toBe(first); // the document still names /keys, now a 404: the last good set is kept
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, "/keys", OAUTH_METADATA_PATH, "/keys"]);
    idp.routes.set(OAUTH_METADATA_PATH, { body: { issuer: idp.origin, jwks_uri: `${idp.origin}/keys-v2` } });
    idp.routes.set("/keys-v2", { body: { keys: [B] } });
    clock.now = 30_000; // the unknown kid's cooldown has not run out: nothing is fetched
    expect(await jwks.getKeySet({ refresh: true })).toBe(first);
    clock.now = 30_001; // the next refetch rediscovers first
    expect(await jwks.getKeySet({ refresh: true })).toEqual({ keys: [B], version: 2 });
    expect(idp.requests).toEqual([OAUTH_METADATA_PATH, "/keys", OAUTH_METADATA_PATH, "/keys", OAUTH_METADATA_PATH, "/keys-v2"]);
    expect(logger.events.map(([level, event, fields]) => [level, event, fields.jwks_uri ?? fields.url])).toEqual([
      ["info", "auth.jwks_discovered", `${idp.origin}/keys`],
      ["warn", "auth.jwks_refresh_failed", `${idp.origin}/keys`],
      ["info", "auth.jwks_discovered", `${idp.origin}/keys-v2`],
    ]);
  });
});

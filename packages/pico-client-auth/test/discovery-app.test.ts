import { Application } from "pico-boot";
import { controller, get } from "pico-hono";
import { component } from "pico-ioc";
import type { Constructor } from "pico-ioc";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LOCAL_JWKS, OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH } from "../src/contract.js";
import type { LocalJwks } from "../src/contract.js";
import { AuthConfigurationError } from "../src/index.js";
import { bearer, packageRoot, quiet } from "./app.js";
import { standInIdp } from "./support/idp.js";
import type { StandInIdp } from "./support/idp.js";
import { recordingLogger } from "./support/logger.js";
import type { RecordingLogger } from "./support/logger.js";
import { unreachableUrl } from "./support/revocation-feed.js";
import { defaultClaims, edKey, sign } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

@controller({ prefix: "/api" })
class ProfileController {
  @get("/profile")
  profile(): { ok: boolean } {
    return { ok: true };
  }
}

let key: ClassicalKey;
beforeAll(async () => {
  key = await edKey("idp-key");
});

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function idp(): Promise<StandInIdp> {
  const server = await standInIdp();
  cleanup.push(() => server.close());
  return server;
}

/** pico-client-auth with `auth_client` (audience "my-api") and no jwks_url unless given. */
function app(auth_client: Record<string, unknown>, options: { components?: Constructor[]; logger?: RecordingLogger } = {}): Application {
  const application = new Application({
    moduleNames: ["pico_client_auth"],
    root: packageRoot,
    components: [ProfileController, ...(options.components ?? [])],
    autoPlugins: false,
    env: {},
    envFile: false,
    logger: options.logger ?? quiet,
    config: { auth_client: { audience: "my-api", jwks_timeout_ms: 1000, ...auth_client } },
  });
  cleanup.push(() => application.stop());
  return application;
}

async function profile(application: Application, issuer: string): Promise<[number, unknown]> {
  const res = await application.request("/api/profile", bearer(await sign(key, defaultClaims({ iss: issuer }))));
  return [res.status, await res.json()];
}

async function readyz(application: Application): Promise<[number, unknown]> {
  const res = await application.request("/readyz");
  return [res.status, ((await res.json()) as { checks: unknown }).checks];
}

const UNAVAILABLE = [503, { detail: "Token signing keys are unavailable; try again later" }];

describe("an app without jwks_url, in front of a third-party IdP", () => {
  it("finds the key set through the IdP's metadata: tokens verify, /readyz is ready", async () => {
    const server = await idp();
    server.routes.set(OPENID_CONFIGURATION_PATH, { body: { issuer: server.origin, jwks_uri: `${server.origin}/oauth2/keys` } });
    server.routes.set("/oauth2/keys", { body: { keys: [key.jwk] } });
    const application = app({ issuer: server.origin });
    expect(await profile(application, server.origin)).toEqual([200, { ok: true }]);
    expect(await readyz(application)).toEqual([200, { jwks: "ok" }]);
    expect(server.requests).toEqual([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, "/oauth2/keys"]);
  });

  it("a document naming another issuer: 503 to requests, /readyz says why, the log says which document", async () => {
    const server = await idp();
    server.routes.set(OAUTH_METADATA_PATH, { body: { issuer: "https://login.example.com", jwks_uri: `${server.origin}/keys` } });
    server.routes.set("/keys", { body: { keys: [key.jwk] } });
    const logger = recordingLogger();
    const application = app({ issuer: server.origin }, { logger });
    expect(await profile(application, server.origin)).toEqual(UNAVAILABLE);
    expect(await readyz(application)).toEqual([503, { jwks: "no key set: the issuer's discovery document names another issuer" }]);
    expect(logger.lines).toContain(
      `warn: pico-client-auth: cannot discover the JWKS of ${server.origin}: ${server.origin}${OAUTH_METADATA_PATH} names issuer "https://login.example.com", not the configured "${server.origin}"; refused`,
    );
    expect(logger.text()).toContain("event: 'auth.discovery_failed'");
    expect(server.requests).not.toContain("/keys");
  });

  it("/readyz tells an unreachable issuer, and an unusable document, from an unreachable key set", async () => {
    const nowhere = new URL(await unreachableUrl()).origin;
    expect(await readyz(app({ issuer: nowhere }))).toEqual([503, { jwks: "no key set: the issuer's discovery document cannot be fetched" }]);

    const server = await idp();
    server.routes.set(OAUTH_METADATA_PATH, { body: { issuer: server.origin, jwks_uri: "http://keys.example.com/jwks" } });
    expect(await readyz(app({ issuer: server.origin }))).toEqual([503, { jwks: "no key set: the issuer's discovery document is unusable" }]);

    server.routes.set(OAUTH_METADATA_PATH, { body: { issuer: server.origin, jwks_uri: `${server.origin}/gone` } });
    expect(await readyz(app({ issuer: server.origin }))).toEqual([503, { jwks: "no key set: the JWKS cannot be fetched" }]);
  });
});

/** An in-process auth server with `issuer`, publishing `key` at `jwksPath` (and `jwksPaths`). */
function inProcessServer(issuer: string, jwksPath: string, jwksPaths?: string[]) {
  @component({ provides: LOCAL_JWKS })
  class InProcessServer implements LocalJwks {
    readonly issuer = issuer;
    readonly jwksPath = jwksPath;
    readonly jwksPaths = jwksPaths;
    jwks() {
      return { keys: [key.jwk] };
    }
  }
  return InProcessServer;
}

describe("an auth server in the same Application", () => {
  const issuer = "https://auth.example.com";

  it("is used without any request when jwks_url is empty and the issuers are equal, whatever its key-set path", async () => {
    const fetchSpy = vi.fn(async (_url: string, _init?: RequestInit) => new Response("no network in this test", { status: 599 }));
    vi.stubGlobal("fetch", fetchSpy);
    const application = app({ issuer }, { components: [inProcessServer(issuer, "/somewhere/jwks")] });
    expect(await profile(application, issuer)).toEqual([200, { ok: true }]);
    expect(await readyz(application)).toEqual([200, { jwks: "ok" }]);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("is used when jwks_url's path is its jwksPath or one of its jwksPaths (any host); another path is fetched", async () => {
    const fetchSpy = vi.fn(async (_url: string, _init?: RequestInit) => new Response("no network in this test", { status: 599 }));
    vi.stubGlobal("fetch", fetchSpy);
    const server = inProcessServer(issuer, "/api/v1/auth/jwks", ["/api/v1/auth/jwks/all"]);
    for (const jwksUrl of ["https://auth.example.com/api/v1/auth/jwks", "https://internal.example.net/api/v1/auth/jwks/all"]) {
      expect(await profile(app({ issuer, jwks_url: jwksUrl }, { components: [server] }), issuer), jwksUrl).toEqual([200, { ok: true }]);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(await profile(app({ issuer, jwks_url: "https://auth.example.com/api/v1/auth/jwks/ml-dsa" }, { components: [server] }), issuer)).toEqual(UNAVAILABLE);
    expect(fetchSpy.mock.calls.map(([url]) => url)).toEqual(["https://auth.example.com/api/v1/auth/jwks/ml-dsa"]);
  });

  it("with another issuer is not used: discovery asks the configured issuer", async () => {
    const fetchSpy = vi.fn(async (_url: string, _init?: RequestInit) => new Response("{}", { status: 404 }));
    vi.stubGlobal("fetch", fetchSpy);
    const application = app({ issuer }, { components: [inProcessServer("https://other.example.com", "/api/v1/auth/jwks")] });
    expect(await profile(application, issuer)).toEqual(UNAVAILABLE);
    expect(fetchSpy.mock.calls.map(([url]) => url)).toEqual([
      `${issuer}${OAUTH_METADATA_PATH}`,
      `${issuer}${OPENID_CONFIGURATION_PATH}`,
      `${issuer}/api/v1/auth/jwks`,
    ]);
  });
});

describe("boot", () => {
  it("without jwks_url the issuer itself must be https (plain http only on loopback): the documents are fetched from it", async () => {
    const error = await app({ issuer: "http://auth.example.com" }).init().catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      "auth_client.issuer must use https (plain http only on localhost), got http://auth.example.com (auth_client.jwks_url is empty: the keys are discovered from the issuer)",
    );
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(AuthConfigurationError);
    await expect(app({ issuer: "http://auth.example.com", jwks_url: "https://auth.example.com/keys" }).init()).resolves.toBeDefined();
    await expect(app({ issuer: "http://127.0.0.1:8100" }).init()).resolves.toBeDefined();
  });
});

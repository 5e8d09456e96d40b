import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Application } from "pico-boot";
import { controller, get } from "pico-hono";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { authConfig, bearer, packageRoot, quiet } from "./app.js";
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

/** A real JWKS server on an ephemeral port; `status` other than 200 makes it answer that, without keys. */
const jwks = { status: 200, url: "", close: () => Promise.resolve() };
let key: ClassicalKey;
beforeAll(async () => {
  key = await edKey();
  const server = createServer((_req, res) => {
    res.writeHead(jwks.status, { "content-type": "application/json" });
    res.end(JSON.stringify(jwks.status === 200 ? { keys: [key.jwk] } : { detail: "down" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwks.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  jwks.close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(() => jwks.close());

const apps: Application[] = [];
afterEach(async () => {
  jwks.status = 200;
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

function remoteApp(jwksUrl: string, web: Record<string, unknown> = {}, client: Record<string, unknown> = {}): Application {
  const app = new Application({
    moduleNames: ["pico_client_auth"],
    root: packageRoot,
    components: [ProfileController],
    autoPlugins: false,
    env: {},
    logger: quiet,
    config: { auth_client: { ...authConfig, jwks_url: jwksUrl, jwks_timeout_ms: 500, ...client }, web },
  });
  apps.push(app);
  return app;
}

async function readyz(app: Application): Promise<[number, unknown]> {
  const res = await app.request("/readyz");
  return [res.status, await res.json()];
}

const NOT_READY = [503, { detail: "Not ready: jwks (no key set: the JWKS cannot be fetched)", checks: { jwks: "no key set: the JWKS cannot be fetched" } }];

describe("/readyz with a remote JWKS", () => {
  it("ready once the JWKS answers with keys", async () => {
    expect(await readyz(remoteApp(jwks.url))).toEqual([200, { status: "ready", checks: { jwks: "ok" } }]);
  });

  it("503 while the JWKS server answers 503, and while nothing listens at jwks_url", async () => {
    jwks.status = 503;
    expect(await readyz(remoteApp(jwks.url))).toEqual(NOT_READY);
    expect(await readyz(remoteApp(await unreachableUrl()))).toEqual(NOT_READY);
  });

  it("ready again once the JWKS server is back (after the fetch backoff, 1 s with a 1 s cooldown, and the probe cache)", async () => {
    jwks.status = 500;
    const app = remoteApp(jwks.url, {}, { jwks_cooldown_seconds: 1 });
    expect(await readyz(app)).toEqual(NOT_READY);
    jwks.status = 200;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await readyz(app)).toEqual([200, { status: "ready", checks: { jwks: "ok" } }]);
  });
});

describe("token cache metrics", () => {
  it("pico_auth_token_cache_total: the first use of a token is a miss (signature checked), the next ones hits", async () => {
    const app = remoteApp(jwks.url, { metrics: true });
    const token = await sign(key, defaultClaims());
    for (let i = 0; i < 3; i++) expect((await app.request("/api/profile", bearer(token))).status).toBe(200);
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(/^pico_auth_token_cache_total\{result="miss"\} 1$/m);
    expect(text).toMatch(/^pico_auth_token_cache_total\{result="hit"\} 2$/m);
  });
});

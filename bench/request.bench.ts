/**
 * Hot path: one GET through the whole stack, in-process (`app.fetch`, no sockets), as a ratio to
 * bare Hono measured in the same run. Reproduce: `npx --yes pnpm@10.34.8 bench`.
 */
import { Hono } from "hono";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { Application } from "pico-boot";
import { KEY_SOURCE, allowAnonymous } from "pico-client-auth";
import { controller, get } from "pico-hono";
import { bench, describe } from "vitest";
import { fileURLToPath } from "node:url";

@controller()
class Hello {
  @allowAnonymous
  @get("/hello")
  hello() {
    return { hello: "world" };
  }

  @get("/profile")
  profile() {
    return { hello: "world" };
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const issuer = "https://auth.example.com";
const { publicKey, privateKey } = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" };
const keySource = { getKeySet: async () => ({ keys: [jwk], version: 1 }) };
const token = await new SignJWT({ sub: "bench", role: "user" })
  .setProtectedHeader({ alg: "RS256", kid: "k1" })
  .setIssuer(issuer)
  .setAudience("bench")
  .setIssuedAt()
  .setExpirationTime("1h")
  .sign(privateKey);

function picoApp(auth: boolean, tokenCacheSize = 10_000): Promise<Application> {
  return new Application({
    moduleNames: auth ? ["pico_client_auth"] : [],
    root: fileURLToPath(new URL("..", import.meta.url)),
    components: [Hello],
    config: { ...(auth ? { auth_client: { issuer, audience: "bench", token_cache_size: tokenCacheSize } } : {}), web: { openapi_url: "" } },
    overrides: auth ? [{ provide: KEY_SOURCE, useValue: keySource }] : [],
    autoPlugins: false,
    env: {},
    logger: quiet,
  }).init();
}

const bare = new Hono().get("/hello", (c) => c.json({ hello: "world" }));
const plain = await picoApp(false);
const guarded = await picoApp(true);
const uncached = await picoApp(true, 0);
const authorized = { headers: { authorization: `Bearer ${token}` } };

// Every case warms up the same way, so the first one does not pay for the JIT alone.
const options = { time: 1500, warmupTime: 500, warmupIterations: 2000 };

async function check(response: Response | Promise<Response>): Promise<void> {
  if ((await response).status !== 200) throw new Error("benchmark request failed");
}

describe("GET in-process, relative to bare Hono", () => {
  bench("bare Hono GET /hello", () => check(bare.request("/hello")), options);
  bench("pico-hono controller GET /hello", () => check(plain.hono.request("/hello")), options);
  bench("+ pico-client-auth, @allowAnonymous route", () => check(guarded.hono.request("/hello")), options);
  bench("+ pico-client-auth, RS256 token, verified-token cache", () => check(guarded.hono.request("/profile", authorized)), options);
  bench("+ pico-client-auth, RS256 token, cache off", () => check(uncached.hono.request("/profile", authorized)), options);
});

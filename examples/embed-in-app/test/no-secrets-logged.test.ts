import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Application, createLogger } from "pico-boot";
import { controller, get } from "pico-hono";
import { component, configured, inject, LOGGER, setting } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { freePort } from "../../../test-support/ports.js";
import { seedConfig } from "../src/config.js";
import { ed25519Wallet, mlDsaWallet, postJson, secp256k1Wallet } from "../../../packages/pico-server-auth/test/support.js";
import type { Wallet } from "../../../packages/pico-server-auth/test/support.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const PASSWORD = "no-secret-admin-password";
const WRONG_PASSWORD = "wrong-guess-of-the-password";
const FEED_BEARER = "feed-bearer-0123456789abcdefghijklmnopqrstuvwxyz";
const CLIENT_BEARER = "client-bearer-0123456789abcdefghijklmnopqrstuv";
const URL_PASSWORD = "url-Pa55w0rd";
const API_KEY = "api-key-0123456789abcdef";
const QUERY_TOKEN = "query-token-0123456789";
const AUDIT_URL = "https://ghp_T0kenInUserinfo0123@audit.internal";

/** An application's own store, configured with a database URL that carries its password, as drivers take it. */
@configured("orders")
class OrdersSettings {
  @setting({ type: "string", description: "The orders database" })
  databaseUrl: string = "";
}

@component()
class OrdersStore {
  readonly #url: string;
  readonly #logger: Logger;
  constructor(settings: OrdersSettings, @inject(LOGGER) logger: Logger) {
    this.#url = settings.databaseUrl;
    this.#logger = logger;
    logger.info(`orders: using ${this.#url}`, { database_url: this.#url });
  }
  load(): never {
    // What a driver throws: its message names the URL it could not reach.
    const error = new Error(`connect ECONNREFUSED ${this.#url}`, { cause: new Error(`getaddrinfo ENOTFOUND for ${this.#url}`) });
    // What an HTTP SDK's error carries on its own fields (the request it made), logged under a
    // field other than `err`.
    const sdk = Object.assign(new Error("orders: the audit service answered 502"), {
      config: { url: `${AUDIT_URL}/events?token=${QUERY_TOKEN}`, headers: { Authorization: `Bearer ${CLIENT_BEARER}`, "X-Api-Key": API_KEY } },
      database_url: this.#url,
    });
    this.#logger.warn("orders: audit failed", { error: sdk, attempt: { of: { the: { retry: { password: URL_PASSWORD } } } } });
    throw error;
  }
}

@controller({ prefix: "/api/orders" })
class Orders {
  constructor(private readonly store: OrdersStore) {}
  @get("")
  list() {
    return this.store.load();
  }
}

/** Everything the real logger (pino, at debug) writes, as text. */
function capture(): { stream: Writable; text: () => string } {
  let text = "";
  return { stream: new Writable({ write: (chunk, _encoding, done) => ((text += chunk.toString()), done()) }), text: () => text };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function signIn(app: Application, wallet: Wallet, secrets: string[]): Promise<string> {
  const asked = await app.request("/api/v1/auth/challenge", postJson({ address: wallet.address, algorithm: wallet.algorithm }));
  const { challenge, message } = (await asked.json()) as { challenge: string; message: string };
  const signature = wallet.sign(message);
  secrets.push(signature);
  const res = await app.request("/api/v1/auth/sign-in", postJson({ address: wallet.address, public_key: wallet.publicKeyHex, signature, challenge, algorithm: wallet.algorithm }));
  expect(res.status, wallet.algorithm).toBe(200);
  const { access_token, refresh_token } = (await res.json()) as { access_token: string; refresh_token: string };
  secrets.push(access_token, refresh_token);
  return access_token;
}

describe("no secret is ever logged", () => {
  it("the seed scenario at LOG_LEVEL=debug, an app store's URL with its password, a client app that cannot reach its server: no password, token, bearer secret or signature in any line", { timeout: 60_000 }, async () => {
    const out = capture();
    const logger = createLogger({ level: "debug", destination: out.stream });
    const secrets: string[] = [PASSWORD, WRONG_PASSWORD, FEED_BEARER, CLIENT_BEARER, URL_PASSWORD, API_KEY, QUERY_TOKEN, "ghp_T0kenInUserinfo0123"];
    const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory", SERVER_AUTH__REVOCATION_FEED_BEARER: FEED_BEARER };
    const config = { ...seedConfig(env).config, orders: { database_url: `postgres://orders:${URL_PASSWORD}@db.internal:5432/orders` } };
    const seed = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], components: [OrdersSettings, OrdersStore, Orders], config, root, env, logger });

    // Admin: a failed login, a login, the profile, a refresh, a reuse of the spent refresh token
    // (which ends that session), a logout.
    expect((await seed.request("/api/v1/auth/login", postJson({ email: "admin@example.com", password: WRONG_PASSWORD }))).status).toBe(401);
    const login = (await (await seed.request("/api/v1/auth/login", postJson({ email: "admin@example.com", password: PASSWORD }))).json()) as { access_token: string; refresh_token: string };
    secrets.push(login.access_token, login.refresh_token);
    expect((await seed.request("/api/profile", bearer(login.access_token))).status).toBe(200);
    expect((await seed.request("/api/admin/dashboard", bearer(login.access_token))).status).toBe(200);
    const refreshed = await seed.request("/api/v1/auth/refresh", postJson({ refresh_token: login.refresh_token }));
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as { access_token: string; refresh_token: string };
    secrets.push(next.access_token, next.refresh_token);
    expect((await seed.request("/api/v1/auth/refresh", postJson({ refresh_token: login.refresh_token }))).status).toBe(401);
    // Wallets of every algorithm; a token that is wrong by one character.
    let walletToken = "";
    for (const wallet of [ed25519Wallet(), secp256k1Wallet(), mlDsaWallet()]) {
      const token = await signIn(seed, wallet, secrets);
      walletToken = token;
      expect((await seed.request("/api/profile", bearer(token))).status).toBe(200);
      const forged = `${token.slice(0, -2)}xx`;
      secrets.push(forged);
      expect((await seed.request("/api/profile", bearer(forged))).status).toBe(401);
    }
    // The revocation feed, with its service credential and with a wrong one.
    expect((await seed.request("/api/v1/auth/revocations", bearer(FEED_BEARER))).status).toBe(200);
    expect((await seed.request("/api/v1/auth/revocations", bearer(`${FEED_BEARER}-wrong`))).status).toBe(401);
    // The application's store fails with its URL in the error: a 500, its stack logged.
    expect((await seed.request("/api/orders", bearer(walletToken))).status).toBe(500);
    expect((await seed.request("/api/v1/auth/logout", postJson({ refresh_token: next.refresh_token }))).status).toBe(204);
    await seed.stop();

    // An API service that cannot reach its JWKS and revocation feed: it logs the failures (the feed
    // with its service credential configured).
    const closed = await freePort();
    const client = new Application({
      moduleNames: ["pico_client_auth", "my_app"],
      root,
      env: {},
      autoPlugins: false,
      logger,
      config: {
        auth_client: {
          issuer: "http://localhost:8100",
          audience: "my-app",
          jwks_url: `http://localhost:${closed}/jwks`,
          revocation_endpoint: `http://localhost:${closed}/revocations`,
          revocation_bearer: CLIENT_BEARER,
        },
      },
    });
    const refused = await client.request("/api/profile", bearer(walletToken));
    expect(refused.status).toBe(503);
    await client.stop();

    const text = out.text();
    const entries = text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    // The capture saw the whole scenario, at debug.
    expect(entries.filter((e) => e.event === "http.request").length).toBeGreaterThanOrEqual(20);
    expect(text).toContain("postgres://orders:[redacted]@db.internal:5432/orders");
    expect(entries.some((e) => e.level === "error" && JSON.stringify(e.err).includes("ECONNREFUSED postgres://orders:[redacted]@"))).toBe(true);
    expect(entries.some((e) => e.level === "warn" && String(e.msg).includes(`localhost:${closed}`)), "the client's failures were logged").toBe(true);
    expect(entries.some((e) => e.msg === "orders: audit failed" && JSON.stringify(e.error).includes("audit service answered 502")), "the SDK error was logged").toBe(true);
    for (const secret of secrets) {
      expect(text.includes(secret), `a secret is in the log: ${secret.slice(0, 12)}…`).toBe(false);
      // A JWT's signature part alone is as good as none leaked only if it is absent too.
      const tail = secret.split(".").at(-1) as string;
      if (tail.length >= 16) expect(text.includes(tail), `part of a secret is in the log: ${tail.slice(0, 12)}…`).toBe(false);
    }
  });
});

import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { seedConfig } from "../src/config.js";
import { startNginx, runNginxTest } from "../../../test-support/nginx.js";
import type { RunningNginx } from "../../../test-support/nginx.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const proxySnippet = fileURLToPath(new URL("../../../docs/examples/nginx-proxy.conf", import.meta.url));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const QUOTA = 3;

// Every client is a loopback address of its own (Linux routes all of 127.0.0.0/8 to lo), bound as
// the socket's source: nginx sees each as a different peer, as it would distinct hosts.
const NGINX_ITSELF = "127.0.0.1";
const [ALICE, BOB, MALLORY] = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

interface Answer {
  readonly status: number;
  readonly detail?: string;
}

/** POST /challenge from `localAddress` to `port`, with the headers given. */
function challenge(port: number, localAddress: string, headers: Record<string, string> = {}): Promise<Answer> {
  const body = JSON.stringify({ address: "0xproxy" });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, localAddress, method: "POST", path: "/api/v1/auth/challenge", agent: false, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, detail: (JSON.parse(text) as { detail?: string }).detail }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const OK: Answer = { status: 200, detail: undefined };
const THROTTLED: Answer = { status: 429, detail: "too many challenges requested; try again later" };

describe.skipIf(!runNginxTest)("the seed app behind a real nginx (Debian's package), trusting only nginx's address", () => {
  let app: Application;
  let appPort: number;
  let nginx: RunningNginx;

  beforeAll(async () => {
    const env = {
      SERVER_AUTH__ADMIN_PASSWORD: "a-long-test-password",
      SERVER_AUTH__STORE: "memory",
      SERVER_AUTH__CHALLENGES_PER_CLIENT: String(QUOTA),
      WEB__TRUSTED_PROXIES: NGINX_ITSELF,
    };
    app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: quiet });
    ({ port: appPort } = await app.start({ port: 0, host: "127.0.0.1" }));
    nginx = await startNginx(
      (port) => `
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${appPort};
      proxy_bind ${NGINX_ITSELF};
      include ${proxySnippet};
    }
  }`,
    );
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.stop();
  });

  const viaNginx = (client: string, headers?: Record<string, string>) => challenge(nginx.port, client, headers);
  const direct = (client: string, headers?: Record<string, string>) => challenge(appPort, client, headers);

  it("two clients forwarded by nginx get separate quotas; a forwarded header sent straight to the app changes nothing", async () => {
    // Alice's own X-Forwarded-For values are kept by nginx, left of her real address: each request
    // claims to come from someone new, and all count as hers.
    for (let i = 0; i < QUOTA; i++) expect(await viaNginx(ALICE, { "x-forwarded-for": `203.0.113.${i}` })).toEqual(OK);
    expect(await viaNginx(ALICE, { "x-forwarded-for": "203.0.113.99" }), await nginx.errorLog()).toEqual(THROTTLED);
    expect(await viaNginx(ALICE)).toEqual(THROTTLED);

    // Bob, behind the same nginx, has a quota of his own.
    expect(await viaNginx(BOB)).toEqual(OK);

    // Mallory talks to the app directly: her peer address is no trusted proxy, so the header she
    // sends is never read. Claiming to be Alice (whose quota is spent) does not get her refused...
    expect(await direct(MALLORY, { "x-forwarded-for": ALICE })).toEqual(OK);
    // ... and claiming to be Bob, or anyone new each time, spends her own quota, not Bob's.
    for (let i = 1; i < QUOTA; i++) expect(await direct(MALLORY, { "x-forwarded-for": i === 1 ? BOB : `198.51.100.${i}` })).toEqual(OK);
    expect(await direct(MALLORY, { "x-forwarded-for": "198.51.100.99" })).toEqual(THROTTLED);
    expect(await direct(MALLORY, { forwarded: "for=198.51.100.98" })).toEqual(THROTTLED);

    // Bob still has the rest of his quota: Mallory's claims took nothing from it.
    for (let i = 1; i < QUOTA; i++) expect(await viaNginx(BOB)).toEqual(OK);
    expect(await viaNginx(BOB)).toEqual(THROTTLED);
  });

  it("through nginx, a client's own Forwarded header is not read either", async () => {
    // web.forwarded_header is x-forwarded-for (and the snippet clears Forwarded besides): Carol's
    // claims give her no new quotas.
    const CAROL = "127.0.0.5";
    for (let i = 0; i < QUOTA; i++) expect(await viaNginx(CAROL, { forwarded: `for=192.0.2.${i}` })).toEqual(OK);
    expect(await viaNginx(CAROL, { forwarded: "for=192.0.2.99" })).toEqual(THROTTLED);
  });
});

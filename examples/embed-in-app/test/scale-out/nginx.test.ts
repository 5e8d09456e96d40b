import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNginxTest, startNginx } from "../../../../test-support/nginx.js";
import type { RunningNginx } from "../../../../test-support/nginx.js";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { Deployment, PROOF_TIMEOUT_MS, SYNC_INTERVAL_MS } from "./deployment.js";
import { within } from "./http.js";
import { logout, profile, refresh, signIn } from "./wallet.js";

const siteFile = fileURLToPath(new URL("../../../../docs/examples/nginx-scale-out.conf", import.meta.url));
const proxySnippet = fileURLToPath(new URL("../../../../docs/examples/nginx-proxy.conf", import.meta.url));
const NGINX_ITSELF = "127.0.0.1";
const ROUNDS = 6;

/** The documented site with this run's ports and the snippet's path put in: each replaced text must be there. */
function site(listenPort: number, [a, b]: readonly [Instance, Instance]): string {
  const replacements: [string, string][] = [
    ["server 127.0.0.1:8101;", `server 127.0.0.1:${new URL(a.url).port};`],
    ["server 127.0.0.1:8102;", `server 127.0.0.1:${new URL(b.url).port};`],
    ["listen 80;", `listen 127.0.0.1:${listenPort};`],
    ["/etc/nginx/snippets/pico-proxy.conf", proxySnippet],
  ];
  let text = readFileSync(siteFile, "utf8");
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${siteFile} no longer contains "${from}": update this test with it`);
    text = text.replace(from, to);
  }
  return text;
}

describe.skipIf(!runNginxTest || !serviceAvailable("postgres") || !serviceAvailable("redis"))("two instances behind Debian's nginx (docs/examples/nginx-scale-out.conf)", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment({ env: { WEB__TRUSTED_PROXIES: NGINX_ITSELF } });
  let logDir: string | undefined;
  let upstreamLog: string;
  let instances: [Instance, Instance];
  let nginx: RunningNginx;
  let base: string;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), "pico-nginx-upstreams-"));
    upstreamLog = join(logDir, "upstreams.log");
    instances = (await deployment.start(2)) as [Instance, Instance];
    // Besides the documented site, a log of which instance answered each request (test only).
    nginx = await startNginx((port) => `  log_format upstreams '$request_method $uri $status $upstream_addr';\n  access_log ${upstreamLog} upstreams;\n${site(port, instances)}`);
    base = `http://127.0.0.1:${nginx.port}`;
  });
  afterAll(async () => {
    await nginx?.stop();
    await deployment.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  /** Which instance answered each request so far, in order: "POST /api/v1/auth/sign-in 200 127.0.0.1:41234". */
  const answered = () => readFileSync(upstreamLog, "utf8").trim().split("\n");

  it("sign-in, refresh and logout through nginx work whichever of the two instances answers each request", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const session = await signIn(base);
      expect((await profile(base, session.access_token)).status).toBe(200);
      const rotated = await refresh(base, session.refresh_token);
      expect(rotated.status, rotated.text).toBe(200);
      expect((await profile(base, rotated.body.access_token)).status).toBe(200);
      expect((await logout(base, rotated.body.refresh_token)).status).toBe(204);
      // Refused by whichever instance answers: within a reread, then every time.
      await within("nginx's instances refuse the ended session", SYNC_INTERVAL_MS + 500, async () => (await profile(base, rotated.body.access_token)).status === 401);
      for (let i = 0; i < 4; i++) expect((await profile(base, rotated.body.access_token)).status).toBe(401);
    }
    const lines = answered();
    const ports = instances.map((instance) => `127.0.0.1:${new URL(instance.url).port}`);
    const by = (port: string) => lines.filter((line) => line.endsWith(` ${port}`)).length;
    expect(ports.map(by).every((count) => count > 0), lines.join("\n")).toBe(true);
    // Challenges redeemed on the other instance than the one that issued them: nginx took no care to keep them together.
    const pairs = lines.flatMap((line, i) => (line.startsWith("POST /api/v1/auth/challenge 200") && lines[i + 1]?.startsWith("POST /api/v1/auth/sign-in 200") ? [[line.split(" ")[3], lines[i + 1]?.split(" ")[3]]] : []));
    expect(pairs).toHaveLength(ROUNDS);
    expect(pairs.some(([issuer, redeemer]) => issuer !== redeemer), lines.join("\n")).toBe(true);
  });

  it("with one instance killed, nginx sends every request to the other and sessions begun before carry on", async () => {
    const before = await signIn(base);
    await instances[0].kill();
    for (let round = 0; round < ROUNDS; round++) {
      const rotated = await refresh(base, round === 0 ? before.refresh_token : (await signIn(base)).refresh_token);
      expect(rotated.status, `${rotated.text}\n${await nginx.errorLog()}`).toBe(200);
      expect((await profile(base, rotated.body.access_token)).status).toBe(200);
      expect((await logout(base, rotated.body.refresh_token)).status).toBe(204);
      expect((await profile(base, rotated.body.access_token)).status).toBe(401);
    }
  });
});

import { describe, expect, it } from "vitest";
import type { LogFields, Logger } from "pico-ioc";
import { RemoteJwks } from "../src/keys/remote-jwks.js";
import { RemoteRevocations } from "../src/revocation/remote-revocations.js";
import { fakeEndpoint } from "./support/fake-endpoint.js";

/** Every line, with its level and fields as given. */
function fieldLogger() {
  const lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { lines, logger };
}

const JWKS_URL = "https://auth.example.com/api/v1/auth/jwks";
const FEED_URL = "https://auth.example.com/api/v1/auth/revocations";
const BEARER = "feed-credential-that-is-never-logged";

describe("pico-client-auth security events", () => {
  it("a failed JWKS refresh is auth.jwks_refresh_failed at warn, with the URL, whether the last set is kept, and the error", async () => {
    const { lines, logger } = fieldLogger();
    const endpoint = fakeEndpoint(JWKS_URL, { keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "a" }] });
    let clock = 0;
    const jwks = new RemoteJwks({ url: JWKS_URL, ttlMs: 60_000, cooldownMs: 30_000, timeoutMs: 1000, logger, fetch: endpoint.fetch, now: () => clock });
    endpoint.state.down = true;
    await expect(Promise.resolve(jwks.getKeySet())).rejects.toThrow();
    [endpoint.state.down, clock] = [false, 5000];
    await jwks.getKeySet();
    [endpoint.state.status, clock] = [500, 65_000];
    await jwks.getKeySet();
    expect(lines.map(({ level, fields }) => [level, { ...fields, err: (fields?.err as Error).message }])).toStrictEqual([
      ["warn", { event: "auth.jwks_refresh_failed", url: JWKS_URL, kept_last: false, err: "fetch failed" }],
      ["warn", { event: "auth.jwks_refresh_failed", url: JWKS_URL, kept_last: true, err: `JWKS ${JWKS_URL} answered 500` }],
    ]);
  });

  it("a failed revocation-feed fetch is auth.revocation_feed_failed at warn (once a minute, with the failures in between); its recovery is info; the bearer is never logged", async () => {
    const { lines, logger } = fieldLogger();
    const endpoint = fakeEndpoint(FEED_URL, { items: [] });
    let clock = 0;
    const feed = new RemoteRevocations({ url: FEED_URL, ttlMs: 15_000, failOpen: false, bearer: BEARER, logger, fetch: endpoint.fetch, now: () => clock });
    endpoint.state.status = 503;
    expect(await feed.status("a")).toBe("unavailable");
    clock = 30_000;
    expect(await feed.status("a")).toBe("unavailable"); // within the minute: counted, not logged
    clock = 60_000;
    expect(await feed.status("a")).toBe("unavailable");
    [endpoint.state.status, clock] = [200, 61_000];
    expect(await feed.status("a")).toBe("not-revoked");
    expect(lines.map(({ level, fields }) => [level, fields?.err === undefined ? fields : { ...fields, err: (fields.err as Error).message }])).toStrictEqual([
      ["warn", { event: "auth.revocation_feed_failed", url: FEED_URL, fail_open: false, suppressed: 0, err: `revocation feed ${FEED_URL} answered 503` }],
      ["warn", { event: "auth.revocation_feed_failed", url: FEED_URL, fail_open: false, suppressed: 1, err: `revocation feed ${FEED_URL} answered 503` }],
      ["info", { event: "auth.revocation_feed_recovered", url: FEED_URL }],
    ]);
    expect(JSON.stringify(lines.map((l) => [l.message, l.fields]))).not.toContain(BEARER);
  });
});

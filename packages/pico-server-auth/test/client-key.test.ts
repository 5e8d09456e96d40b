/**
 * Who "one client" is for every per-client limit (challenge quota, refresh quota, login throttle):
 * behind a trusted proxy, the forwarded address, with an IPv6 /64 counted as one client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { postJson, serverApp } from "./support.js";

const FAST_HASH = { argon2_memory_kib: 1024, argon2_time_cost: 1, allow_weak_settings: true };

describe("per-client limits behind a trusted proxy (this test is the proxy, at 127.0.0.1)", () => {
  let app: Application;
  let url: string;

  beforeAll(async () => {
    app = serverApp({
      server: { ...FAST_HASH, challenges_per_client: 2, refreshes_per_client: 2, login_max_failures: 1 },
      env: { WEB__TRUSTED_PROXIES: "loopback" },
    });
    ({ url } = await app.start({ port: 0, host: "127.0.0.1" }));
  });

  afterAll(() => app.stop());

  const post = async (path: string, body: unknown, forwardedFor: string) => {
    const res = await fetch(`${url}/api/v1/auth/${path}`, postJson(body, { "x-forwarded-for": forwardedFor }));
    return res.status;
  };

  it("an IPv6 /64 is one client for the challenge quota, the refresh quota and the login throttle; the next /64 is another", async () => {
    // Every request from a fresh address of 2001:db8:1:1::/64, as a host given a /64 could send them.
    let host = 0;
    const sameNet = () => `2001:db8:1:1:${(++host).toString(16)}::${host.toString(16)}`;

    expect([await post("challenge", { address: "0xa" }, sameNet()), await post("challenge", { address: "0xa" }, sameNet())]).toEqual([200, 200]);
    expect(await post("challenge", { address: "0xa" }, sameNet())).toBe(429);
    expect(await post("challenge", { address: "0xa" }, "2001:db8:1:2::1")).toBe(200);

    // Refreshes are counted before the body is read: a malformed one (400) counts too.
    expect([await post("refresh", {}, sameNet()), await post("refresh", {}, sameNet())]).toEqual([400, 400]);
    expect(await post("refresh", {}, sameNet())).toBe(429);
    expect(await post("refresh", {}, "2001:db8:1:2::1")).toBe(400);

    // login_max_failures 1: one failure per (email, client), then 429 for that pair.
    const guess = (from: string) => post("login", { email: "admin@example.com", password: "not-the-password" }, from);
    expect(await guess(sameNet())).toBe(401);
    expect(await guess(sameNet())).toBe(429);
    expect(await guess("2001:db8:1:3::1")).toBe(401);
  });

  it("IPv4 clients are told apart by their full address; what the client wrote left of it is never read", async () => {
    expect([await post("challenge", { address: "0xb" }, "203.0.113.1"), await post("challenge", { address: "0xb" }, "6.6.6.6, 203.0.113.1")]).toEqual([200, 200]);
    expect(await post("challenge", { address: "0xb" }, "7.7.7.7, 203.0.113.1, 127.0.0.1")).toBe(429);
    expect(await post("challenge", { address: "0xb" }, "203.0.113.2")).toBe(200);
  });
});

describe("web.trusted_proxies at boot", () => {
  it("a bad entry (a host name, a prefix too long) fails boot, naming the setting, the env variable and the entry", async () => {
    const app = serverApp({ env: { WEB__TRUSTED_PROXIES: "loopback,nginx,10.0.0.0/33" } });
    const error = await app.init().then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toContain(
      '- web.trusted_proxies: item 1 expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, private, uniquelocal; got "nginx" (config web.trusted_proxies, env WEB__TRUSTED_PROXIES)',
    );
    expect(error?.message).toContain('item 2 expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, private, uniquelocal; got "10.0.0.0/33"');
    await app.stop();
  });
});

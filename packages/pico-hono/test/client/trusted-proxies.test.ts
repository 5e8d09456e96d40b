import { ConfigurationError } from "pico-ioc";
import { describe, expect, it } from "vitest";
import { trustedProxies } from "../../src/index.js";
import type { ProxyTest } from "../../src/index.js";

function test(...entries: string[]): ProxyTest {
  const isProxy = trustedProxies(entries);
  if (!isProxy) throw new Error("expected a test");
  return isProxy;
}

describe("trustedProxies: web.trusted_proxies entries", () => {
  it("none by default: no test at all, so no header is ever read", () => {
    expect(trustedProxies([])).toBeUndefined();
  });

  it("a CIDR written with host bits set is its network", () => {
    const isProxy = test("10.1.2.3/8", "2001:db8::1/32");
    expect([isProxy("10.9.9.9"), isProxy("11.0.0.0"), isProxy("2001:db8:ffff::1"), isProxy("2001:db9::1")]).toEqual([true, false, true, false]);
  });

  it("IPv4 CIDRs match their range only", () => {
    const isProxy = test("10.0.0.0/8", "192.0.2.7");
    expect(isProxy("10.255.1.2")).toBe(true);
    expect(isProxy("11.0.0.1")).toBe(false);
    expect(isProxy("192.0.2.7")).toBe(true);
    expect(isProxy("192.0.2.8")).toBe(false);
  });

  it("IPv6 CIDRs match their range only, however the entry is spelled", () => {
    const isProxy = test("2001:DB8:0:0::/64", "fd00::1");
    expect(isProxy("2001:db8::ffff")).toBe(true);
    expect(isProxy("2001:db8:0:1::1")).toBe(false);
    expect(isProxy("fd00::1")).toBe(true);
    expect(isProxy("fd00::2")).toBe(false);
  });

  it("an IPv4-mapped IPv6 entry is the IPv4 address or CIDR it maps", () => {
    const isProxy = test("::ffff:10.1.0.0/112", "::ffff:192.0.2.9");
    expect(isProxy("10.1.200.3")).toBe(true);
    expect(isProxy("10.2.0.1")).toBe(false);
    expect(isProxy("192.0.2.9")).toBe(true);
  });

  it("an IPv4 entry does not match IPv6 addresses; an IPv6 one matches IPv4 only if it covers ::ffff:0:0/96, where IPv4 maps", () => {
    const isProxy = test("0.0.0.0/0");
    expect(isProxy("203.0.113.9")).toBe(true);
    expect(isProxy("2001:db8::1")).toBe(false);
    expect(test("fc00::/7", "2001:db8::/32")("203.0.113.9")).toBe(false);
    expect(test("::ffff:0:0/96")("203.0.113.9")).toBe(true);
    expect(test("::/0")("203.0.113.9")).toBe(true);
  });

  it("names: loopback, private (= uniquelocal), linklocal, in any case", () => {
    const loopback = test("loopback");
    expect(["127.0.0.1", "127.9.9.9", "::1"].map(loopback)).toEqual([true, true, true]);
    expect(["10.0.0.1", "::2"].map(loopback)).toEqual([false, false]);
    const local = test("Private");
    expect(["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd12::1"].map(local)).toEqual([true, true, true, true, true]);
    expect(["172.32.0.1", "192.169.0.1", "127.0.0.1", "2001:db8::1"].map(local)).toEqual([false, false, false, false]);
    expect(test("uniquelocal")("10.1.2.3")).toBe(true);
    const linklocal = test("linklocal");
    expect(["169.254.1.1", "fe80::1"].map(linklocal)).toEqual([true, true]);
    expect(linklocal("10.0.0.1")).toBe(false);
  });

  it("every bad entry fails boot at once, naming the setting, the item, what was expected and what came", () => {
    let error: unknown;
    try {
      trustedProxies(["loopback", "10.0.0.0/33", "localhost", "::1/129", "10.0.0.0/", "fe80::1%eth0", "10.0.0.0/08x", "10.0.0.0/-1"]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems.map((p) => p.path)).toEqual(Array(7).fill("web.trusted_proxies"));
    expect(problems[0]?.message).toBe(
      'item 1 expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, private, uniquelocal; got "10.0.0.0/33" (config web.trusted_proxies, env WEB__TRUSTED_PROXIES)',
    );
    expect(problems.map((p) => /^item (\d+)/.exec(p.message)?.[1])).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
  });
});

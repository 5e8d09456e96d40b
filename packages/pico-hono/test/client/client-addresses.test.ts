import { describe, expect, it } from "vitest";
import { ClientAddresses, IN_PROCESS_CLIENT, MAX_FORWARDED_HOPS, WebSettings } from "../../src/index.js";

function clients(trustedProxies: string[], forwardedHeader = "x-forwarded-for"): ClientAddresses {
  return new ClientAddresses(Object.assign(new WebSettings(), { trustedProxies, forwardedHeader }));
}

describe("ClientAddresses.resolve: the client is the rightmost hop no trusted proxy has", () => {
  it("without trusted proxies the peer is the client, whatever the headers say", () => {
    const none = clients([]);
    expect(none.resolve("198.51.100.7", "203.0.113.9")).toBe("198.51.100.7");
    expect(none.resolve("127.0.0.1", "203.0.113.9")).toBe("127.0.0.1");
  });

  it("a header from a peer that is not a trusted proxy changes nothing", () => {
    expect(clients(["loopback"]).resolve("198.51.100.7", "203.0.113.9")).toBe("198.51.100.7");
  });

  it("one trusted proxy: the address it appended is the client, whatever the client put before it", () => {
    const behindNginx = clients(["127.0.0.1"]);
    expect(behindNginx.resolve("127.0.0.1", "203.0.113.9")).toBe("203.0.113.9");
    expect(behindNginx.resolve("127.0.0.1", "1.1.1.1, 2.2.2.2, 203.0.113.9")).toBe("203.0.113.9");
    expect(behindNginx.resolve("127.0.0.1", "garbage, unknown, 203.0.113.9")).toBe("203.0.113.9");
  });

  it("a chain of trusted proxies is walked from the right to the first untrusted hop", () => {
    const chain = clients(["loopback", "10.0.0.0/8"]);
    expect(chain.resolve("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2, 10.0.0.1")).toBe("203.0.113.9");
    // A client spoofing a trusted address left of its own changes nothing: the walk stops at it.
    expect(chain.resolve("127.0.0.1", "10.0.0.9, 203.0.113.9, 10.0.0.1")).toBe("203.0.113.9");
  });

  it("when every hop is a trusted proxy, the leftmost one is the client", () => {
    expect(clients(["private", "loopback"]).resolve("127.0.0.1", "10.0.0.5, 10.0.0.1")).toBe("10.0.0.5");
  });

  it("no header, an empty one, or a hop naming no address where the client should be: the peer", () => {
    const behindNginx = clients(["loopback"]);
    expect(behindNginx.resolve("127.0.0.1", undefined)).toBe("127.0.0.1");
    expect(behindNginx.resolve("127.0.0.1", "")).toBe("127.0.0.1");
    expect(behindNginx.resolve("127.0.0.1", "203.0.113.9, unknown")).toBe("127.0.0.1");
    expect(behindNginx.resolve("127.0.0.1", "203.0.113.9, 127.0.0.2, <garbage>")).toBe("127.0.0.1");
  });

  it("Forwarded, when chosen: quoted IPv6 with a port, obfuscated hops, garbage falls back to the peer", () => {
    const forwarded = clients(["loopback", "2001:db8:ffff::/48"], "forwarded");
    expect(forwarded.resolve("::1", 'for="[2001:db8:cafe::17]:4711";proto=https, for="[2001:db8:ffff::1]"')).toBe("2001:db8:cafe::17");
    expect(forwarded.resolve("127.0.0.1", "for=_hidden")).toBe("127.0.0.1");
    expect(forwarded.resolve("127.0.0.1", 'for="203.0.113.9')).toBe("127.0.0.1");
    expect(forwarded.resolve("127.0.0.1", "for=1.2.3.4 garbage")).toBe("127.0.0.1");
  });

  it("Forwarded: a client's unparseable element cannot hide what the proxies appended after it (no second bucket under the proxy's address)", () => {
    const forwarded = clients(["loopback", "10.0.0.0/8"], "forwarded");
    // The client sent an unterminated quote; the proxy appended the client's real address.
    expect(forwarded.resolve("127.0.0.1", 'for="1.2.3.4, for=203.0.113.9')).toBe("203.0.113.9");
    expect(forwarded.resolve("127.0.0.1", 'for="1.2.3.4, for=203.0.113.9;proto=https, for=10.0.0.7')).toBe("203.0.113.9");
    // All that parses on its own is trusted: beyond it nothing is known, so the peer.
    expect(forwarded.resolve("127.0.0.1", 'for="1.2.3.4, for=10.0.0.7')).toBe("127.0.0.1");
  });

  it("reads only the header chosen: an X-Forwarded-For value means nothing when Forwarded is chosen, and the reverse", () => {
    // resolve() gets the chosen header's value; each parser rejects the other's syntax rather than misreading it.
    expect(clients(["loopback"], "forwarded").resolve("127.0.0.1", "203.0.113.9")).toBe("127.0.0.1");
    expect(clients(["loopback"]).resolve("127.0.0.1", "for=203.0.113.9")).toBe("127.0.0.1");
  });

  it("peers are canonical: an IPv4-mapped peer is its IPv4 address, trusted by an IPv4 entry", () => {
    const behindNginx = clients(["127.0.0.1"]);
    expect(behindNginx.resolve("::ffff:127.0.0.1", "203.0.113.9")).toBe("203.0.113.9");
    expect(behindNginx.resolve("::ffff:198.51.100.7", "203.0.113.9")).toBe("198.51.100.7");
    expect(behindNginx.resolve("127.0.0.1", "::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("a request without a socket is the in-process client", () => {
    expect(clients(["loopback"]).resolve(undefined, "203.0.113.9")).toBe(IN_PROCESS_CLIENT);
  });

  it("examines at most 32 hops: a long chain of trusted-looking hops ends there", () => {
    expect(MAX_FORWARDED_HOPS).toBe(32);
    const hops = Array.from({ length: 100 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    expect(clients(["private", "loopback"]).resolve("127.0.0.1", hops.join(", "))).toBe(hops[100 - MAX_FORWARDED_HOPS]);
  });
});

describe("ClientAddresses over Hono contexts", () => {
  it("clientKey groups an IPv6 client by /64; without a socket both are the in-process client", () => {
    const behindProxy = clients(["loopback"]);
    expect(behindProxy.resolve("::1", "2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2:3:4:5:6");
    const context = (remoteAddress: string | undefined, xff: string) =>
      ({ env: remoteAddress === undefined ? {} : { incoming: { on() {}, headers: { "x-forwarded-for": xff }, socket: { remoteAddress } } } }) as never;
    expect(behindProxy.clientKey(context("::1", "2001:db8:1:2:3:4:5:6"))).toBe("2001:db8:1:2::/64");
    expect(behindProxy.clientAddress(context("127.0.0.1", "203.0.113.9"))).toBe("203.0.113.9");
    expect(behindProxy.clientKey(context(undefined, "203.0.113.9"))).toBe(IN_PROCESS_CLIENT);
  });
});

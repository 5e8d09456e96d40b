import { describe, expect, it } from "vitest";
import { addressKey, canonicalIp } from "../../src/index.js";

describe("canonicalIp", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["::FFFF:203.0.113.9", "203.0.113.9"],
    ["::ffff:cb00:7109", "203.0.113.9"],
    ["0:0:0:0:0:ffff:cb00:7109", "203.0.113.9"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["::1", "::1"],
    ["::", "::"],
    ["64:ff9b::203.0.113.9", "64:ff9b::cb00:7109"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"],
  ])("%s is %s", (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it.each([
    ...["", "unknown", "_hidden", "256.1.1.1", "1.2.3", "01.2.3.4", "[::1]", "203.0.113.9:80", " 203.0.113.9", "2001:db8::1 "],
    ...["2001:db8::1::2", "2001:db8:::1", ":::", "g::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", ":1::", "1::2:", ":1:2:3:4:5:6:7:8"],
    ...["12345::", "::ffff:1.2.3.4.5", "::1.2.3.4:5", "1.2.3.4::", "fe80::1%", "%eth0", "::ffff:256.0.0.1", "1:2:3:4:5:6:1.2.3.4:8"],
  ])(
    "%j is not an address",
    (text) => {
      expect(canonicalIp(text)).toBeUndefined();
    },
  );
});

describe("addressKey: the key a per-client limit counts under", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
  });

  it("groups IPv6 addresses by /64: every address of one /64 shares a key, the next /64 does not", () => {
    const key = addressKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(key);
    expect(addressKey("2001:db8:1:2:a:b:c:d")).toBe(key);
    expect(addressKey("2001:db8:1:3::1")).not.toBe(key);
    expect(addressKey("::1")).toBe("::/64");
    expect(addressKey("fe80::1")).toBe("fe80::/64");
  });

  it("any other text (the in-process client) is its own key", () => {
    expect(addressKey("in-process")).toBe("in-process");
    expect(addressKey("not:an:address")).toBe("not:an:address");
  });
});

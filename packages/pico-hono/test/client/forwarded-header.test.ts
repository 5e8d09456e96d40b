import { describe, expect, it } from "vitest";
import { nodeAddress, parseForwarded, parseXForwardedFor } from "../../src/index.js";

describe("parseXForwardedFor", () => {
  it("reads the hops left to right, with or without ports, IPv6 bare or bracketed", () => {
    expect(parseXForwardedFor("203.0.113.9, 198.51.100.7:4711,2001:db8::1 , [2001:db8::2]:80, [2001:DB8::3]")).toEqual([
      "203.0.113.9",
      "198.51.100.7",
      "2001:db8::1",
      "2001:db8::2",
      "2001:db8::3",
    ]);
  });

  it("joined repeated headers are one list; empty items are skipped", () => {
    expect(parseXForwardedFor("203.0.113.9, , 198.51.100.7,")).toEqual(["203.0.113.9", "198.51.100.7"]);
  });

  it("an item that is not an address is a null hop, never an exception", () => {
    expect(parseXForwardedFor("unknown, <script>, 999.1.1.1, 1.2.3.4:99999, 203.0.113.9")).toEqual([null, null, null, null, "203.0.113.9"]);
    expect(parseXForwardedFor("\u0000\uffff\ud800")).toEqual([null]);
  });
});

describe("parseForwarded (RFC 7239)", () => {
  it("reads each element's for= node, quoted or not, with IPv6 in brackets and ports", () => {
    expect(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711", For="192.0.2.43:80"')).toEqual([
      "192.0.2.60",
      "2001:db8:cafe::17",
      "192.0.2.43",
    ]);
  });

  it("obfuscated identifiers, unknown, obfuscated ports and elements without for= are null hops", () => {
    expect(parseForwarded('for=_hidden, for=unknown, for="_SEVKISEK", proto=https;by=10.0.0.1, for="[2001:db8::1]:_obf"')).toEqual([
      null,
      null,
      null,
      null,
      "2001:db8::1",
    ]);
  });

  it("an element naming for= twice says nothing", () => {
    expect(parseForwarded("for=192.0.2.1;for=192.0.2.2, for=192.0.2.3")).toEqual([null, "192.0.2.3"]);
  });

  it("quoted strings may hold commas, semicolons and escapes", () => {
    expect(parseForwarded('for=192.0.2.1;ext="a, b; c \\" d", for=192.0.2.2')).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("tolerates spaces around the separators, empty elements and an unquoted [IPv6]:port", () => {
    expect(parseForwarded(" for=192.0.2.1 ;proto=https ,, for=[2001:db8::5]:80 ")).toEqual(["192.0.2.1", "2001:db8::5"]);
  });

  it.each(['for="192.0.2.1', "for", "for=", "=192.0.2.1", 'for=192.0.2.1 garbage, for=192.0.2.2', "for=1.2.3.4;;x y=1", 'for="a"b'])(
    "%j does not parse: undefined, never an exception",
    (value) => {
      expect(parseForwarded(value)).toBeUndefined();
    },
  );
});

describe("nodeAddress", () => {
  it.each([
    ["192.0.2.43", "192.0.2.43"],
    ["192.0.2.43:80", "192.0.2.43"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:8080", "2001:db8::1"],
    ["[::ffff:192.0.2.43]:1", "192.0.2.43"],
    ["2001:db8::1", "2001:db8::1"],
    ["unknown", null],
    ["_hidden", null],
    ["[192.0.2.43]", null],
    ["[2001:db8::1", null],
    ["[2001:db8::1]x", null],
    ["192.0.2.43:", null],
    ["192.0.2.43:port", null],
    // A zone means nothing on another host: the address without it.
    ["[fe80::1%25eth0]", "fe80::1"],
    ["192.0.2.43:65535", "192.0.2.43"],
    ["192.0.2.43:65536", null],
  ])("%s is %s", (node, address) => {
    expect(nodeAddress(node)).toBe(address);
  });
});

import { isIPv4 } from "node:net";
import { ConfigurationError } from "pico-ioc";
import type { ConfigProblem } from "pico-ioc";
import { ipv6Hextets } from "./ip-address.js";

/** The names `web.trusted_proxies` accepts besides addresses and CIDRs (the ranges of proxy-addr, as Express users know them). */
export const PROXY_RANGE_NAMES: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  // RFC 1918 and RFC 4193: the addresses a proxy inside a private network or container network has.
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** Whether a canonical address (see `canonicalIp`) belongs to a trusted proxy. */
export type ProxyTest = (address: string) => boolean;

interface Ipv4Range {
  readonly base: number;
  readonly mask: number;
}

interface Ipv6Range {
  readonly hextets: readonly number[];
  readonly prefix: number;
}

/** ::ffff:0:0/96, where IPv4 addresses live inside IPv6. */
const MAPPED = [0, 0, 0, 0, 0, 0xffff, 0, 0];

/**
 * The test for `web.trusted_proxies` entries: addresses (`10.0.0.7`, `::1`), CIDRs (`10.0.0.0/8`,
 * `fd00::/8`, `::ffff:10.0.0.0/104`) and the names of PROXY_RANGE_NAMES. Undefined for an empty list:
 * no peer is a proxy, and no forwarded header is ever read. Every bad entry is reported at once.
 *
 * Matched with integer masks over a handful of ranges (tens of nanoseconds), not node:net's BlockList,
 * which crosses into C++ with a new SocketAddress per check (1.5 to 5 µs each, measured here) and the
 * walk checks every hop. An IPv6 range that covers ::ffff:0:0/96 matches the IPv4 addresses it holds,
 * as BlockList does.
 */
export function trustedProxies(entries: readonly string[]): ProxyTest | undefined {
  if (entries.length === 0) return undefined;
  const { v4, v6, problems } = parseEntries(entries);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return (address) => {
    if (!address.includes(":")) {
      const value = ipv4Value(address);
      return value !== undefined && v4.some((range) => ((value & range.mask) >>> 0) === range.base);
    }
    const hextets = ipv6Hextets(address);
    return hextets !== undefined && v6.some((range) => inIpv6Range(hextets, range));
  };
}

/** What is wrong with `web.trusted_proxies` entries, one problem per bad entry (for checkWebSettings). */
export function trustedProxyProblems(entries: readonly string[]): ConfigProblem[] {
  return parseEntries(entries).problems;
}

function parseEntries(entries: readonly string[]): { v4: Ipv4Range[]; v6: Ipv6Range[]; problems: ConfigProblem[] } {
  const v4: Ipv4Range[] = [];
  const v6: Ipv6Range[] = [];
  const problems: ConfigProblem[] = [];
  for (const [index, entry] of entries.entries()) {
    const ranges = PROXY_RANGE_NAMES[entry.trim().toLowerCase()] ?? [entry.trim()];
    if (!ranges.every((range) => addRange(range, v4, v6))) {
      const message = `item ${index} expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of ${Object.keys(PROXY_RANGE_NAMES).join(", ")}; got ${JSON.stringify(entry)}`;
      problems.push({ path: "web.trusted_proxies", message: `${message} (config web.trusted_proxies, env WEB__TRUSTED_PROXIES)` });
    }
  }
  return { v4, v6, problems };
}

/** Adds one address or CIDR to its family's list; false when it is neither. */
function addRange(range: string, v4: Ipv4Range[], v6: Ipv6Range[]): boolean {
  const slash = range.indexOf("/");
  const address = slash === -1 ? range : range.slice(0, slash);
  const prefixText = slash === -1 ? undefined : range.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return false;
  if (isIPv4(address)) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32) return false;
    v4.push(ipv4Range(ipv4Value(address) as number, prefix));
    return true;
  }
  const hextets = address.includes("%") ? undefined : ipv6Hextets(address);
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (!hextets || prefix > 128) return false;
  if (inIpv6Range(hextets, { hextets: MAPPED, prefix: 96 }) && prefix >= 96) {
    // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps: addresses are canonical, so IPv4.
    v4.push(ipv4Range(((hextets[6] as number) * 0x10000 + (hextets[7] as number)) >>> 0, prefix - 96));
  } else {
    v6.push({ hextets, prefix });
    // A wider range holding all of ::ffff:0:0/96 (::/0, ::/80) holds every IPv4 address too.
    if (prefix < 96 && inIpv6Range(MAPPED, { hextets, prefix })) v4.push(ipv4Range(0, 0));
  }
  return true;
}

function ipv4Range(value: number, prefix: number): Ipv4Range {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (value & mask) >>> 0, mask };
}

/** A dotted IPv4 address as an unsigned 32-bit number; the caller passes canonical text. */
function ipv4Value(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const byte = Number(part);
    if (!Number.isInteger(byte) || byte < 0 || byte > 255 || part === "") return undefined;
    value = value * 256 + byte;
  }
  return value;
}

function inIpv6Range(hextets: readonly number[], range: Ipv6Range): boolean {
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((hextets[i] as number) & mask) !== ((range.hextets[i] as number) & mask)) return false;
  }
  return true;
}

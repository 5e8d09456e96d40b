import { BlockList, isIPv4 } from "node:net";
import { ConfigurationError } from "pico-ioc";
import { canonicalIp } from "./ip-address.js";

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

/**
 * The test for `web.trusted_proxies` entries: addresses (`10.0.0.7`, `::1`), CIDRs (`10.0.0.0/8`,
 * `fd00::/8`, `::ffff:10.0.0.0/104`) and the names of PROXY_RANGE_NAMES. Undefined for an empty list:
 * no peer is a proxy, and no forwarded header is ever read. Every bad entry is reported at once.
 */
export function trustedProxies(entries: readonly string[]): ProxyTest | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  const problems: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const ranges = PROXY_RANGE_NAMES[entry.trim().toLowerCase()] ?? [entry.trim()];
    for (const range of ranges) {
      if (!addRange(list, range)) {
        problems.push(`item ${index} expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of ${Object.keys(PROXY_RANGE_NAMES).join(", ")}; got ${JSON.stringify(entry)}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(problems.map((message) => ({ path: "web.trusted_proxies", message: `${message} (config web.trusted_proxies, env WEB__TRUSTED_PROXIES)` })));
  }
  // Addresses are canonical: IPv4-mapped IPv6 is already IPv4, so the family follows from a colon.
  return (address) => list.check(address, address.includes(":") ? "ipv6" : "ipv4");
}

/** Adds one address or CIDR; false when it is neither. */
function addRange(list: BlockList, range: string): boolean {
  const slash = range.indexOf("/");
  const address = canonicalIp(slash === -1 ? range : range.slice(0, slash));
  if (address === undefined || range.includes("%")) return false;
  const v4 = isIPv4(address);
  const maxPrefix = v4 ? 32 : 128;
  let prefix = maxPrefix;
  if (slash !== -1) {
    const text = range.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return false;
    prefix = Number(text);
    // An IPv4-mapped CIDR (::ffff:10.0.0.0/104) is the IPv4 CIDR it maps; shorter ones mix families.
    const mappedOffset = v4 && range.slice(0, slash).includes(":") ? 96 : 0;
    if (prefix < mappedOffset) return false;
    prefix -= mappedOffset;
    if (prefix > maxPrefix) return false;
  }
  list.addSubnet(address, prefix, v4 ? "ipv4" : "ipv6");
  return true;
}

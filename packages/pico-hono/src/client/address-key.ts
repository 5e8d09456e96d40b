import { formatIpv6, ipv6Hextets } from "./ip-address.js";

/**
 * The key a per-client limit counts under: an IPv4 address as it is, an IPv6 address as its /64
 * (`2001:db8:1:2::/64`). One subscriber or host is usually given a whole /64, so counting exact IPv6
 * addresses would hand it 2^64 fresh buckets. Takes a canonical address (see `canonicalIp`); any
 * other text is its own key.
 */
export function addressKey(address: string): string {
  if (!address.includes(":")) return address;
  const hextets = ipv6Hextets(address);
  return hextets ? `${formatIpv6([...hextets.slice(0, 4), 0, 0, 0, 0])}/64` : address;
}

import { isIPv4 } from "node:net";

const MAPPED_PREFIX = "::ffff:";

/**
 * An IP address in one spelling per address, or undefined when `text` is none: IPv4 dotted; IPv6 in
 * RFC 5952 form (lower case, longest zero run as `::`) without a zone; IPv4-mapped IPv6 as the IPv4
 * address it maps, so a dual-stack listener's `::ffff:203.0.113.9` and a proxy's `203.0.113.9` are
 * the same client.
 */
export function canonicalIp(text: string): string | undefined {
  if (isIPv4(text)) return text;
  // Node's own peer addresses are already canonical: keep the common cases free of parsing.
  if (text.startsWith(MAPPED_PREFIX) && isIPv4(text.slice(MAPPED_PREFIX.length))) return text.slice(MAPPED_PREFIX.length);
  const hextets = text.includes(":") ? ipv6Hextets(text) : undefined;
  if (!hextets) return undefined;
  if (isMapped(hextets)) return `${hextets[6]! >> 8}.${hextets[6]! & 255}.${hextets[7]! >> 8}.${hextets[7]! & 255}`;
  return formatIpv6(hextets);
}

/**
 * The eight 16-bit groups of an IPv6 address (a zone such as `%eth0` ignored), or undefined when
 * `text` is not one. Parsed by hand: this runs per forwarded hop, and node:net's isIPv6 regular
 * expression alone costs more than the whole parse.
 */
export function ipv6Hextets(text: string): number[] | undefined {
  const zone = text.indexOf("%");
  if (zone === 0 || zone === text.length - 1) return undefined;
  const address = zone === -1 ? text : text.slice(0, zone);
  const gap = address.indexOf("::");
  if (gap === -1) {
    const all = groups(address, true);
    return all?.length === 8 ? all : undefined;
  }
  if (address.includes("::", gap + 1)) return undefined;
  const left = groups(address.slice(0, gap), false);
  const right = groups(address.slice(gap + 2), true);
  if (!left || !right || left.length + right.length > 7) return undefined;
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text of eight groups: the longest run of two or more zero groups (the first, on a tie) becomes `::`. */
export function formatIpv6(hextets: readonly number[]): string {
  let start = -1;
  let length = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > length && j - i >= 2) [start, length] = [i, j - i];
    i = j;
  }
  const hex = (groups: readonly number[]): string => groups.map((g) => g.toString(16)).join(":");
  if (start === -1) return hex(hextets);
  return `${hex(hextets.slice(0, start))}::${hex(hextets.slice(start + length))}`;
}

function isMapped(hextets: readonly number[]): boolean {
  return hextets[5] === 0xffff && hextets.slice(0, 5).every((g) => g === 0);
}

const HEXTET = /^[0-9a-f]{1,4}$/i;

/** The groups of one side of `::` (or of a whole address without it); an IPv4 tail (`::ffff:1.2.3.4`) is two. */
function groups(part: string, ipv4Tail: boolean): number[] | undefined {
  if (part === "") return [];
  const items = part.split(":");
  const out: number[] = [];
  for (const [index, item] of items.entries()) {
    if (ipv4Tail && index === items.length - 1 && isIPv4(item)) {
      const [a, b, c, d] = item.split(".").map(Number) as [number, number, number, number];
      out.push((a << 8) | b, (c << 8) | d);
    } else if (HEXTET.test(item)) {
      out.push(Number.parseInt(item, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

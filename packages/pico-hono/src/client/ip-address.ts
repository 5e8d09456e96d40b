import { isIPv4, isIPv6 } from "node:net";

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
  const hextets = ipv6Hextets(text);
  if (!hextets) return undefined;
  if (isMapped(hextets)) return `${hextets[6]! >> 8}.${hextets[6]! & 255}.${hextets[7]! >> 8}.${hextets[7]! & 255}`;
  return formatIpv6(hextets);
}

/** The eight 16-bit groups of an IPv6 address (a zone such as `%eth0` ignored), or undefined when `text` is not one. */
export function ipv6Hextets(text: string): number[] | undefined {
  if (!isIPv6(text)) return undefined;
  const zone = text.indexOf("%");
  const address = (zone === -1 ? text : text.slice(0, zone)).toLowerCase();
  const [head = "", tail] = address.split("::") as [string, string | undefined];
  const groups = (part: string): number[] => (part === "" ? [] : part.split(":").flatMap(group));
  const left = groups(head);
  if (tail === undefined) return left;
  const right = groups(tail);
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

/** One colon-separated group; an embedded IPv4 tail (`::ffff:1.2.3.4`) is two. */
function group(text: string): number[] {
  if (!text.includes(".")) return [Number.parseInt(text, 16)];
  const [a, b, c, d] = text.split(".").map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}

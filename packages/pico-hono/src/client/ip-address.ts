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
 * `text` is not one. One pass over the characters: this runs for every forwarded hop, and node:net's
 * isIPv6 regular expression alone costs more than this whole parse.
 */
export function ipv6Hextets(text: string): number[] | undefined {
  const zone = text.indexOf("%");
  if (zone === 0 || zone === text.length - 1) return undefined;
  const end = zone === -1 ? text.length : zone;
  const out: number[] = [];
  let gapAt = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return undefined;
    gapAt = 0;
    i = 2;
  }
  while (i < end) {
    let value = 0;
    let j = i;
    for (let digit = hexDigit(text.charCodeAt(j)); digit >= 0 && j < end; digit = hexDigit(text.charCodeAt(++j))) value = value * 16 + digit;
    if (j < end && text.charCodeAt(j) === DOT) {
      // An IPv4 tail (::ffff:192.0.2.1): only as the last two groups.
      const tail = text.slice(i, end);
      if (!isIPv4(tail)) return undefined;
      const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
      out.push((a << 8) | b, (c << 8) | d);
      break;
    }
    if (j === i || j - i > 4) return undefined;
    out.push(value);
    if (out.length > 8) return undefined;
    if (j === end) break;
    if (text.charCodeAt(j) !== COLON || j + 1 === end) return undefined;
    if (text.charCodeAt(j + 1) === COLON) {
      if (gapAt !== -1) return undefined;
      gapAt = out.length;
      j++;
    }
    i = j + 1;
  }
  if (gapAt === -1) return out.length === 8 ? out : undefined;
  if (out.length > 7) return undefined;
  return [...out.slice(0, gapAt), ...new Array<number>(8 - out.length).fill(0), ...out.slice(gapAt)];
}

/** RFC 5952 text of eight groups: the longest run of two or more zero groups (the first, on a tie) becomes `::`. */
export function formatIpv6(hextets: readonly number[]): string {
  let start = -1;
  let length = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > length) [start, length] = [i, j - i];
    i = j;
  }
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === start) {
      text += "::";
      i += length - 1;
      continue;
    }
    if (text !== "" && !text.endsWith(":")) text += ":";
    text += (hextets[i] as number).toString(16);
  }
  return text;
}

function isMapped(hextets: readonly number[]): boolean {
  return hextets[5] === 0xffff && hextets.slice(0, 5).every((g) => g === 0);
}

const COLON = 58;
const DOT = 46;

/** The value of a hexadecimal digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

import { canonicalIp } from "./ip-address.js";

/**
 * What one hop of a forwarded header says about the side it received the request from: a canonical
 * address, or null when it names none that can be used (`unknown`, an obfuscated `_id`, garbage).
 */
export type ForwardedHop = string | null;

/** RFC 9110 token characters: parameter names. Sticky, so the header is never copied per pair. */
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
/** A value outside quotes: RFC 7239 wants a token, but `for=[::1]:80` unquoted is common and unambiguous. */
const LOOSE_VALUE = /[^\s;,"]+/y;

/**
 * `X-Forwarded-For: client, proxy1, proxy2`: the hops left to right (each proxy appends the address
 * it received the request from). Items may carry a port (`203.0.113.9:4711`, `[2001:db8::1]:4711`).
 * Empty items are skipped, as in any HTTP list; an unreadable item is a null hop. Never throws.
 */
export function parseXForwardedFor(value: string): ForwardedHop[] {
  const hops: ForwardedHop[] = [];
  for (const item of value.split(",")) {
    const node = item.trim();
    if (node !== "") hops.push(nodeAddress(node));
  }
  return hops;
}

/**
 * RFC 7239 `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"`: each element's `for`
 * node, left to right. An element without `for`, or with two, is a null hop. Undefined when the
 * header does not parse as a whole (an unterminated quote, a pair without `=`): where each element
 * begins is then unknown, so none of it can be believed. Never throws.
 */
export function parseForwarded(value: string): ForwardedHop[] | undefined {
  const hops: ForwardedHop[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (value[i] === " " || value[i] === "\t") i++;
  };
  while (i < value.length) {
    let node: string | null | undefined;
    let empty = true;
    for (;;) {
      skipSpace();
      if (i >= value.length || value[i] === ",") break;
      if (value[i] === ";") {
        i++;
        continue;
      }
      const name = match(TOKEN);
      if (!name || value[i + name.length] !== "=") return undefined;
      i += name.length + 1;
      const pairValue = value[i] === '"' ? readQuoted() : readToken();
      if (pairValue === undefined) return undefined;
      empty = false;
      // RFC 7239 §4: a parameter occurs at most once per element; a hop saying two things says nothing.
      if (name.toLowerCase() === "for") node = node === undefined ? pairValue : null;
      skipSpace();
      if (i < value.length && value[i] !== ";" && value[i] !== ",") return undefined;
    }
    if (!empty) hops.push(node ? nodeAddress(node) : null);
    i++;
  }
  return hops;

  function readQuoted(): string | undefined {
    let text = "";
    for (i++; i < value.length; i++) {
      const char = value[i];
      if (char === '"') {
        i++;
        return text;
      }
      if (char === "\\") i++;
      text += value[i] ?? "";
    }
    return undefined;
  }

  function readToken(): string | undefined {
    const token = match(LOOSE_VALUE);
    if (token !== undefined) i += token.length;
    return token;
  }

  function match(pattern: RegExp): string | undefined {
    pattern.lastIndex = i;
    return pattern.exec(value)?.[0];
  }
}

/**
 * The address of a node (`192.0.2.43`, `192.0.2.43:80`, `[2001:db8::1]`, `[2001:db8::1]:80`, or
 * `2001:db8::1` as some proxies write it in X-Forwarded-For), or null (`unknown`, `_hidden`, garbage).
 */
export function nodeAddress(node: string): ForwardedHop {
  let host = node;
  let port: string | undefined;
  if (node.startsWith("[")) {
    const end = node.indexOf("]");
    if (end === -1) return null;
    host = node.slice(1, end);
    const rest = node.slice(end + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return null;
      port = rest.slice(1);
    }
    if (!host.includes(":")) return null;
  } else {
    const colon = node.indexOf(":");
    // One colon: IPv4 and a port. More: a bare IPv6 address.
    if (colon !== -1 && colon === node.lastIndexOf(":")) [host, port] = [node.slice(0, colon), node.slice(colon + 1)];
  }
  if (port !== undefined && !(/^_[\w.-]+$/.test(port) || (/^\d{1,5}$/.test(port) && Number(port) <= 65_535))) return null;
  return canonicalIp(host) ?? null;
}

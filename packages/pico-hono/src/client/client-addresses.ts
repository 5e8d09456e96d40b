import type { Context } from "hono";
import { component } from "pico-ioc";
import { incomingMessage } from "../app/node-request.js";
import { WebSettings } from "../web-settings.js";
import { checkWebSettings } from "../web-settings-check.js";
import { addressKey } from "./address-key.js";
import { parseForwarded, parseXForwardedFor } from "./forwarded-header.js";
import type { ForwardedHop } from "./forwarded-header.js";
import { canonicalIp } from "./ip-address.js";
import { trustedProxies } from "./trusted-proxies.js";
import type { ProxyTest } from "./trusted-proxies.js";

/** The client of requests that came without a socket (in-process `app.request()`): one shared client. */
export const IN_PROCESS_CLIENT = "in-process";

/**
 * Hops examined at most, from the right. Only a chain of trusted proxies makes the walk go on, and a
 * client inside a trusted range could otherwise make each request check thousands of made-up hops.
 */
export const MAX_FORWARDED_HOPS = 32;

/**
 * Who sent a request: the TCP peer, unless the peer is one of `web.trusted_proxies`. Then the header
 * of `web.forwarded_header` is read from the right, hop by hop, while the hops are trusted proxies:
 * the client is the first address no trusted proxy has (the rightmost untrusted one), or the leftmost
 * when all are trusted. Only trusted proxies wrote what is right of it; what is left of it is whatever
 * the client sent. A hop that names no address (`unknown`, `_hidden`) where the client should be, or a
 * header none of whose right end parses, leaves the peer as the client: never an address anyone could pick.
 *
 * Every per-client limit counts under `clientKey`, which groups IPv6 clients by /64.
 */
@component()
export class ClientAddresses {
  readonly #isProxy: ProxyTest | undefined;
  readonly #header: string;
  readonly #parse: (value: string) => ForwardedHop[] | undefined;

  constructor(settings: WebSettings) {
    // Built with the container, before anything else reads the section: every `web` problem at once.
    checkWebSettings(settings);
    this.#isProxy = trustedProxies(settings.trustedProxies);
    this.#header = settings.forwardedHeader;
    this.#parse = settings.forwardedHeader === "forwarded" ? parseForwardedLeniently : parseXForwardedFor;
  }

  /** The client's address (canonical: see `canonicalIp`), or `"in-process"` for a request without a socket. */
  clientAddress(c: Context): string {
    const incoming = incomingMessage(c);
    const header = incoming?.headers[this.#header];
    return this.resolve(incoming?.socket?.remoteAddress, Array.isArray(header) ? header.join(", ") : header);
  }

  /** The key every per-client limit counts under: the client's address, an IPv6 one as its /64. */
  clientKey(c: Context): string {
    return addressKey(this.clientAddress(c));
  }

  /** The rule itself, for a peer address and the forwarded header's value (both as received). */
  resolve(peerAddress: string | undefined, forwarded: string | undefined): string {
    if (peerAddress === undefined) return IN_PROCESS_CLIENT;
    const peer = canonicalIp(peerAddress) ?? peerAddress;
    const isProxy = this.#isProxy;
    if (!isProxy?.(peer) || forwarded === undefined) return peer;
    const hops = this.#parse(forwarded);
    if (!hops) return peer;
    let client = peer;
    for (let i = hops.length - 1; i >= Math.max(0, hops.length - MAX_FORWARDED_HOPS); i--) {
      const hop = hops[i] as ForwardedHop;
      if (hop === null) return peer;
      client = hop;
      if (!isProxy(hop)) return hop;
    }
    return client;
  }
}

/**
 * RFC 7239 `Forwarded`, read so that a client cannot make the whole header unreadable: when it does
 * not parse as a whole (the client sent `for="1.2.3.4`, an unterminated quote, and the proxy appended
 * its element), the elements the proxies appended are still read one by one from the right, up to the
 * first that does not parse on its own, which counts as a hop naming no address. Without this, a
 * client could leave the header unread and count under the proxy's own address, a second bucket.
 */
function parseForwardedLeniently(value: string): ForwardedHop[] {
  const whole = parseForwarded(value);
  if (whole) return whole;
  const pieces = value.split(",");
  const tail: ForwardedHop[] = [];
  for (let k = pieces.length - 1; k >= Math.max(0, pieces.length - MAX_FORWARDED_HOPS); k--) {
    const element = parseForwarded(pieces[k] as string);
    if (element?.length !== 1) break;
    tail.unshift(element[0] as ForwardedHop);
  }
  return [null, ...tail];
}

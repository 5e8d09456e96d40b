import type { WalletAlgorithm } from "./algorithms.js";
import { checksumAddress } from "./ethereum.js";
import { parseAddress } from "./address.js";

/** What a sign-in (or move) message says; the wallet signs its text, the server keeps that text. */
export interface SignInMessageFields {
  /**
   * A move message has a header of its own ("… asks you to move your … account to a new key:"), which
   * no EIP-4361 / CAIP-122 parser accepts: a wallet or client that signs only sign-in messages never
   * signs a move handed to it as a sign-in (a phishing server relaying a move challenge). Default sign-in.
   */
  readonly kind?: "sign-in" | "move";
  /** RFC 3986 authority (host[:port]) of the site asking for the signature. */
  readonly domain: string;
  readonly uri: string;
  readonly address: string;
  readonly algorithm: WalletAlgorithm;
  readonly chainId: number;
  readonly statement: string;
  readonly nonce: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/**
 * The CAIP-2 chain id of keys that live on no chain: namespace "pico", reference the algorithm
 * (CAIP-2 allows [-a-z0-9] there). Ed25519 → "pico:ed25519", ML-DSA-65 → "pico:ml-dsa-65".
 */
export function caip2ChainId(algorithm: Exclude<WalletAlgorithm, "secp256k1">): string {
  return `pico:${algorithm.toLowerCase()}`;
}

/**
 * A sign-in message:
 * secp256k1: an EIP-4361 (Sign-In with Ethereum) message, the address EIP-55 checksummed.
 * Ed25519 / ML-DSA-65: the same fields in CAIP-122's text form, "your Ed25519 account" and the
 * chain id `caip2ChainId`. An address that is not 0x + 40 hex (a binding made before addresses were
 * derived) appears as it is.
 * A move message (`kind: "move"`): the same lines under the header
 * "<domain> asks you to move your <account> account to a new key:", so it is never a sign-in message.
 */
export function composeSignInMessage(fields: SignInMessageFields): string {
  const { algorithm } = fields;
  const parsed = parseAddress(fields.address);
  const ethereum = algorithm === "secp256k1";
  const address = parsed.kind === "hex" ? (ethereum ? checksumAddress(parsed.lower) : parsed.lower) : fields.address;
  const account = ethereum ? "Ethereum" : algorithm;
  return [
    fields.kind === "move" ? `${fields.domain} asks you to move your ${account} account to a new key:` : `${fields.domain} wants you to sign in with your ${account} account:`,
    address,
    "",
    fields.statement,
    "",
    `URI: ${fields.uri}`,
    "Version: 1",
    `Chain ID: ${ethereum ? fields.chainId : caip2ChainId(algorithm)}`,
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt.toISOString()}`,
    `Expiration Time: ${fields.expiresAt.toISOString()}`,
  ].join("\n");
}

/** Line prefixes a client-sent message is compared by, to name what differs from the issued one. */
const NAMED_LINES: readonly [string, (line: number, text: string) => boolean][] = [
  ["domain", (line) => line === 0],
  ["address", (line) => line === 1],
  ["expiry", (_line, text) => text.startsWith("Expiration Time: ")],
  ["nonce", (_line, text) => text.startsWith("Nonce: ")],
  ["URI", (_line, text) => text.startsWith("URI: ")],
  ["chain id", (_line, text) => text.startsWith("Chain ID: ")],
];

/**
 * Why `sent` is not the message issued (`issued`), for the 401 detail: the first named part that
 * differs (domain, address, expiry, ...), else "text". Undefined when they are equal.
 */
export function messageDifference(sent: string, issued: string): string | undefined {
  if (sent === issued) return undefined;
  const sentLines = sent.split("\n");
  const issuedLines = issued.split("\n");
  for (const [name, matches] of NAMED_LINES) {
    const index = issuedLines.findIndex((text, line) => matches(line, text));
    const sentIndex = sentLines.findIndex((text, line) => matches(line, text));
    if (index < 0 || sentLines[sentIndex] !== issuedLines[index]) return name;
  }
  return "text";
}

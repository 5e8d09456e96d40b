import type { Algorithm } from "./keys.js";

/** What the wallet expects the message it is asked to sign to say. */
export interface ExpectedSignIn {
  /** host[:port] of the server the client was pointed at: the site the message must name. */
  readonly domain: string;
  readonly address: string;
  readonly algorithm: Algorithm;
  /** The challenge the server answered with: the message's nonce. */
  readonly nonce: string;
  readonly now: Date;
}

/** The client will not sign a message: it is not the sign-in it asked for (a phishing server's, a move, stale). */
export class RefusedMessageError extends Error {}

/**
 * Why `message` is not the sign-in message this wallet asked for, or undefined when it is. A wallet
 * that signs whatever text a server hands it can be made to sign a sign-in for another site (a
 * phishing server relays the real server's message) or a move of its address to another key; a
 * SIWE-aware wallet checks these same fields.
 */
export function signInMessageProblem(message: string, expected: ExpectedSignIn): string | undefined {
  const lines = message.split("\n");
  const header = lines[0] ?? "";
  const account = expected.algorithm === "secp256k1" ? "Ethereum" : expected.algorithm;
  if (/ asks you to move your .* account to a new key:$/.test(header)) return "it is a move message (it would move your address to another key), not a sign-in message";
  const suffix = ` wants you to sign in with your ${account} account:`;
  if (!header.endsWith(suffix)) return `it is not a sign-in message for your ${account} account (its first line is ${JSON.stringify(header.slice(0, 120))})`;
  const domain = header.slice(0, -suffix.length);
  if (domain !== expected.domain) return `it names the site ${JSON.stringify(domain.slice(0, 120))}, not ${expected.domain}, the server this client was pointed at`;
  if ((lines[1] ?? "").toLowerCase() !== expected.address.toLowerCase()) return `it names the address ${JSON.stringify((lines[1] ?? "").slice(0, 120))}, not this wallet's ${expected.address}`;
  if (!lines.includes(`Nonce: ${expected.nonce}`)) return "its nonce is not the challenge the server sent";
  const expiry = Date.parse(lines.find((line) => line.startsWith("Expiration Time: "))?.slice("Expiration Time: ".length) ?? "");
  if (!(expiry > expected.now.getTime())) return "it names no expiration time in the future";
  return undefined;
}

/** Throws RefusedMessageError unless `message` is the sign-in message expected. */
export function checkSignInMessage(message: string, expected: ExpectedSignIn): void {
  const problem = signInMessageProblem(message, expected);
  if (problem) throw new RefusedMessageError(`refusing to sign the message the server sent: ${problem}`);
}

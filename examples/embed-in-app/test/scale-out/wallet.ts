import { ed25519Wallet } from "../../../../packages/pico-server-auth/test/support.js";
import type { Wallet } from "../../../../packages/pico-server-auth/test/support.js";
import { call } from "./http.js";
import type { Answer, CallOptions } from "./http.js";

export { ed25519Wallet };
export type { Wallet };

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

/** A challenge issued by `base` and the wallet's signature of its message: a sign-in body, ready to send anywhere. */
export interface SignedChallenge {
  readonly wallet: Wallet;
  readonly body: { readonly address: string; readonly public_key: string; readonly signature: string; readonly challenge: string; readonly algorithm: string };
}

/** POST /challenge at `base` for a new (or the given) wallet, signed: the body a sign-in sends. */
export async function signedChallenge(base: string, wallet: Wallet = ed25519Wallet(), options: CallOptions = {}): Promise<SignedChallenge> {
  const asked = await call<{ challenge: string; message: string }>(base, "/api/v1/auth/challenge", { ...options, body: { address: wallet.address, algorithm: wallet.algorithm } });
  if (asked.status !== 200) throw new Error(`challenge at ${base} answered ${asked.status}: ${asked.text}`);
  const { challenge, message } = asked.body;
  return { wallet, body: { address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm } };
}

/** POST /sign-in at `base` with a signed challenge (issued by any instance). */
export const redeem = (base: string, signed: SignedChallenge, options: CallOptions = {}): Promise<Answer<Tokens>> =>
  call<Tokens>(base, "/api/v1/auth/sign-in", { ...options, body: signed.body });

/** A wallet's sign-in: challenge at `challengeAt`, sign-in at `signInAt` (the same by default); throws unless 200. */
export async function signIn(challengeAt: string, signInAt = challengeAt, wallet: Wallet = ed25519Wallet()): Promise<Tokens & { readonly wallet: Wallet; readonly sid: string }> {
  const signed = await signedChallenge(challengeAt, wallet);
  const answer = await redeem(signInAt, signed);
  if (answer.status !== 200) throw new Error(`sign-in at ${signInAt} (challenge of ${challengeAt}) answered ${answer.status}: ${answer.text}`);
  return { ...answer.body, wallet, sid: claims(answer.body.access_token).sid as string };
}

/** GET /api/profile (my_app, behind pico-client-auth's guard) with an access token: 200, 401, or 503. */
export const profile = (base: string, accessToken: string, options: CallOptions = {}): Promise<Answer> => call(base, "/api/profile", { ...options, token: accessToken });

export const refresh = (base: string, refreshToken: string, options: CallOptions = {}): Promise<Answer<Tokens>> =>
  call<Tokens>(base, "/api/v1/auth/refresh", { ...options, body: { refresh_token: refreshToken } });

export const logout = (base: string, refreshToken: string, options: CallOptions = {}): Promise<Answer> =>
  call(base, "/api/v1/auth/logout", { ...options, body: { refresh_token: refreshToken } });

/** A JWT's payload, unverified (the servers verify; tests only read sid and kid). */
export const claims = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;
export const kidOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split(".")[0] as string, "base64url").toString()) as { kid: string }).kid;

/**
 * The crypto bound of one sign-in, measured in this process while no server is under load: one wallet
 * signature verification over a sign-in message with pico-server-auth's own `verifyMessageSignature`
 * (secp256k1: Keccak-256 and key recovery in noble, as wallet_mode secure does), then the token work
 * the server does per sign-in: the access token's RS256 signature over the compact JWS signing input
 * (node:crypto with a 2048-bit key, the cheapest way to make it on Node 20) and the opaque refresh
 * token (32 random bytes, kept as their SHA-256), one after another on one core. Payloads are shaped
 * like the server's; encoding them is included (it is tiny).
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import * as serverAuth from "pico-server-auth";
import type { Wallet } from "./wallets.js";

const ISSUER = "http://localhost:8100";
const AUDIENCE = "my-app";

export interface BoundFixture {
  readonly key: KeyObject;
  readonly header: string;
}

export async function boundFixture(): Promise<BoundFixture> {
  // Where the server loads its ML-DSA verifier lazily, load it as the server does before verifying.
  await (serverAuth as { loadMlDsaVerifier?: () => Promise<void> }).loadMlDsaVerifier?.();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid: randomBytes(32).toString("base64url") })).toString("base64url");
  return { key: privateKey, header };
}

interface Sample {
  readonly wallet: Wallet;
  readonly message: string;
  readonly signature: Uint8Array;
}

export function boundSamples(wallets: readonly Wallet[], count: number): Sample[] {
  return Array.from({ length: count }, (_, i) => {
    const wallet = wallets[i % wallets.length] as Wallet;
    // Shaped like the server's sign-in message: ~11 lines, the nonce a fresh 64-hex challenge.
    const message = `localhost:8100 wants you to sign in with your ${wallet.algorithm} account:\n${wallet.address}\n\nSign in to localhost:8100.\n\nURI: ${ISSUER}\nVersion: 1\nChain ID: 1\nNonce: ${randomBytes(32).toString("hex")}\nIssued At: ${new Date().toISOString()}\nExpiration Time: ${new Date().toISOString()}`;
    return { wallet, message, signature: wallet.sign(message) };
  });
}

function jws(fixture: BoundFixture, payload: Record<string, unknown>): string {
  const input = `${fixture.header}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${input}.${sign("sha256", Buffer.from(input), fixture.key).toString("base64url")}`;
}

function oneSignIn(fixture: BoundFixture, sample: Sample): number {
  const { wallet } = sample;
  if (!serverAuth.verifyMessageSignature(wallet.algorithm, sample.message, sample.signature, wallet.publicKey)) throw new Error(`bound: ${wallet.algorithm} signature did not verify`);
  const iat = Math.floor(Date.now() / 1000);
  const standard = { sub: wallet.address, iss: ISSUER, aud: AUDIENCE, iat, sid: randomUUID() };
  const access = jws(fixture, { algorithm: wallet.algorithm, wallet_address: wallet.address, ...standard, exp: iat + 1800, jti: randomUUID(), role: "user" });
  const refresh = randomBytes(32).toString("base64url");
  return access.length + createHash("sha256").update(refresh).digest("hex").length;
}

/** Sign-ins per second of pure crypto over `seconds`, one at a time. */
export function measureBound(fixture: BoundFixture, samples: readonly Sample[], seconds: number): number {
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    oneSignIn(fixture, samples[done % samples.length] as Sample);
    done++;
  }
  return done / ((performance.now() - start) / 1000);
}

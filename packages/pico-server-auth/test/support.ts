import { createHash, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { fileURLToPath } from "node:url";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { Application } from "pico-boot";
import type { ApplicationOptions } from "pico-boot";
import { SecurityContext } from "pico-client-auth";
import { controller, get } from "pico-hono";
import { FAST_STATE } from "../src/state/fast-state.js";
import type { MemoryFastState } from "../src/state/memory-fast-state.js";

/** This package's directory: "pico_server_auth" resolves here by self-reference, "pico_client_auth" from its dev dependencies. */
export const packageRoot = fileURLToPath(new URL("..", import.meta.url));
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };
export const ADMIN = { email: "admin@example.com", password: "correct horse battery" };

export const serverConfig = {
  issuer: "http://localhost:8100",
  audience: "my-app",
  auto_create_admin: true,
  admin_email: ADMIN.email,
  admin_password: ADMIN.password,
  // Each test app its own state; the SQLite store has its own tests.
  store: "memory",
};

/** An Application with pico-server-auth (and, when `embedded`, pico-client-auth) loaded. */
export function serverApp(options: { server?: Record<string, unknown>; client?: Record<string, unknown>; embedded?: boolean } & Partial<ApplicationOptions> = {}): Application {
  const { server, client, embedded, ...rest } = options;
  return new Application({
    moduleNames: embedded ? ["pico_server_auth", "pico_client_auth"] : ["pico_server_auth"],
    root: packageRoot,
    autoPlugins: false,
    env: {},
    envFile: false,
    logger: quiet,
    config: {
      server_auth: { ...serverConfig, ...server },
      ...(embedded ? { auth_client: { issuer: serverConfig.issuer, audience: serverConfig.audience, jwks_url: "http://localhost:8100/api/v1/auth/jwks", ...client } } : {}),
    },
    ...rest,
  });
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } };
}

export interface Wallet {
  readonly algorithm: "Ed25519" | "secp256k1" | "ML-DSA-65";
  readonly publicKeyHex: string;
  /** The address the key owns in secure mode (lower case), derived here independently of the server. */
  readonly address: string;
  /** Signs a sign-in message as secure mode wants it: secp256k1 with EIP-191 personal_sign (65-byte r‖s‖v), others its UTF-8 bytes. */
  sign(message: string): string;
  /** Signs the UTF-8 bytes as upstream clients do: secp256k1 is ECDSA over SHA-256, DER. Ed25519 and ML-DSA-65: as `sign`. */
  signRaw(message: string): string;
}

const sha256Address = (publicKey: Uint8Array): string => `0x${createHash("sha256").update(publicKey).digest("hex").slice(0, 40)}`;

/** Wallets signing with code paths independent of the server's (node:crypto, noble). */
export function ed25519Wallet(): Wallet {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  const sign = (m: string) => nodeSign(null, Buffer.from(m), privateKey).toString("hex");
  return { algorithm: "Ed25519", publicKeyHex: raw.toString("hex"), address: sha256Address(raw), sign, signRaw: sign };
}

/** EIP-191 personal_sign with noble, as Ethereum wallets do: r‖s‖v, v = 27 + recovery bit. */
export function personalSign(secretKey: Uint8Array, message: string): string {
  const bytes = Buffer.from(message, "utf8");
  const digest = keccak_256(Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${bytes.length}`), bytes]));
  const recovered = secp256k1.sign(digest, secretKey, { prehash: false, format: "recovered" });
  return Buffer.concat([recovered.subarray(1), Buffer.from([27 + (recovered[0] as number)])]).toString("hex");
}

export function secp256k1Wallet(): Wallet {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const { x, y } = publicKey.export({ format: "jwk" });
  const secretKey = Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url");
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x as string, "base64url"), Buffer.from(y as string, "base64url")]);
  return {
    algorithm: "secp256k1",
    publicKeyHex: point.toString("hex"),
    // The Ethereum address: the last 20 bytes of Keccak-256 over x‖y.
    address: `0x${Buffer.from(keccak_256(point.subarray(1))).subarray(12).toString("hex")}`,
    sign: (m) => personalSign(secretKey, m),
    // DER, not low-S normalised: what OpenSSL-based upstream wallets send.
    signRaw: (m) => nodeSign("sha256", Buffer.from(m), privateKey).toString("hex"),
  };
}

export function mlDsaWallet(): Wallet {
  const { publicKey, secretKey } = ml_dsa65.keygen();
  const sign = (m: string) => Buffer.from(ml_dsa65.sign(new TextEncoder().encode(m), secretKey)).toString("hex");
  return { algorithm: "ML-DSA-65", publicKeyHex: Buffer.from(publicKey).toString("hex"), address: sha256Address(publicKey), sign, signRaw: sign };
}

export interface IssuedChallenge {
  readonly challenge: string;
  readonly ttl: number;
  readonly message: string;
}

/** POST /challenge for `address` and the wallet's algorithm. */
export async function askChallenge(app: Application, wallet: Wallet, address = wallet.address, extra: Record<string, unknown> = {}): Promise<IssuedChallenge> {
  const res = await app.request("/api/v1/auth/challenge", postJson({ address, algorithm: wallet.algorithm, ...extra }));
  if (res.status !== 200) throw new Error(`/challenge answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as IssuedChallenge;
}

/**
 * challenge → sign → sign-in, in either wallet mode: the wallet signs `message` (in upstream mode the
 * server sends the bare challenge there, signed raw, as upstream clients do); returns the sign-in response.
 */
export async function walletSignIn(app: Application, wallet: Wallet, address = wallet.address): Promise<Response> {
  const { challenge, message } = await askChallenge(app, wallet, address);
  const signature = message === challenge ? wallet.signRaw(challenge) : wallet.sign(message);
  return app.request("/api/v1/auth/sign-in", postJson({ address, public_key: wallet.publicKeyHex, signature, challenge, algorithm: wallet.algorithm }));
}

/** server_auth settings of an app in upstream wallet mode (today's wallet tests run there). */
export const UPSTREAM = { wallet_mode: "upstream" } as const;

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;
}

/** A protected route, as the user guide's `/api/profile`. */
@controller({ prefix: "/api" })
export class Profile {
  @get("/profile")
  profile() {
    const { claims } = SecurityContext.current();
    return { subject: claims.sub, role: claims.role };
  }
}

/** An API service of its own: pico-client-auth alone, checking tokens against a remote JWKS. */
export function clientApp(authClient: { jwks_url: string } & Record<string, unknown>): Application {
  return new Application({
    moduleNames: ["pico_client_auth"],
    root: packageRoot,
    autoPlugins: false,
    env: {},
    envFile: false,
    logger: quiet,
    components: [Profile],
    config: { auth_client: { issuer: serverConfig.issuer, audience: serverConfig.audience, ...authClient } },
  });
}

/**
 * The in-process challenges and counters of an app on the memory fast state (the tests' default), to
 * fake their clocks. Initialises the app first.
 */
export async function inProcessState(app: Application): Promise<MemoryFastState> {
  await app.init();
  const state = app.container.get(FAST_STATE);
  if (state.kind !== "memory") throw new Error(`inProcessState: expected the app's fast state in memory, got ${state.kind}`);
  return state as MemoryFastState;
}

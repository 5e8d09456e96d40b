import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { Application } from "pico-boot";
import type { ApplicationOptions } from "pico-boot";
import { SecurityContext } from "pico-client-auth";
import { controller, get } from "pico-hono";

/** This package's directory: "pico_server_auth" resolves here by self-reference, "pico_client_auth" from its dev dependencies. */
export const packageRoot = fileURLToPath(new URL("..", import.meta.url));
export const quiet = { info() {}, warn() {}, error() {} };
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
export function serverApp(options: { server?: Record<string, unknown>; embedded?: boolean } & Partial<ApplicationOptions> = {}): Application {
  const { server, embedded, ...rest } = options;
  return new Application({
    moduleNames: embedded ? ["pico_server_auth", "pico_client_auth"] : ["pico_server_auth"],
    root: packageRoot,
    autoPlugins: false,
    env: {},
    logger: quiet,
    config: {
      server_auth: { ...serverConfig, ...server },
      ...(embedded ? { auth_client: { issuer: serverConfig.issuer, audience: serverConfig.audience, jwks_url: "http://localhost:8100/api/v1/auth/jwks" } } : {}),
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
  sign(message: string): string;
}

/** Wallets signing with code paths independent of the server's (node:crypto, noble). */
export function ed25519Wallet(): Wallet {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  return { algorithm: "Ed25519", publicKeyHex: raw.toString("hex"), sign: (m) => nodeSign(null, Buffer.from(m), privateKey).toString("hex") };
}

export function secp256k1Wallet(): Wallet {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const { x, y } = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x as string, "base64url"), Buffer.from(y as string, "base64url")]);
  // DER, not low-S normalised: what OpenSSL-based wallets send.
  return { algorithm: "secp256k1", publicKeyHex: point.toString("hex"), sign: (m) => nodeSign("sha256", Buffer.from(m), privateKey).toString("hex") };
}

export function mlDsaWallet(): Wallet {
  const { publicKey, secretKey } = ml_dsa65.keygen();
  return { algorithm: "ML-DSA-65", publicKeyHex: Buffer.from(publicKey).toString("hex"), sign: (m) => Buffer.from(ml_dsa65.sign(new TextEncoder().encode(m), secretKey)).toString("hex") };
}

/** challenge → sign → sign-in; returns the sign-in response. */
export async function walletSignIn(app: Application, wallet: Wallet, address = `0x${wallet.publicKeyHex.slice(0, 40)}`): Promise<Response> {
  const { challenge } = (await (await app.request("/api/v1/auth/challenge", postJson({ address }))).json()) as { challenge: string };
  return app.request("/api/v1/auth/sign-in", postJson({ address, public_key: wallet.publicKeyHex, signature: wallet.sign(challenge), challenge, algorithm: wallet.algorithm }));
}

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
    logger: quiet,
    components: [Profile],
    config: { auth_client: { issuer: serverConfig.issuer, audience: serverConfig.audience, ...authClient } },
  });
}

/**
 * Test helpers: mint keys and tokens, and stand-in key sources and settings.
 *
 *   const key = await rsaKey("k1");                     // or edKey(), ecKey(), mlDsaKey()
 *   const source = staticKeySource([key.jwk]);
 *   const token = await sign(key, defaultClaims({ role: "viewer" }));
 *   const agent = await signAgent(key, agentClaims({ scope: "wallet:read" }));   // X-Agent-Authorization
 *
 * In `defaultClaims(overrides)` and in `sign(key, claims, header)`, an override whose value is
 * `undefined` removes that claim / header parameter (e.g. `{ exp: undefined }`, `{ kid: undefined }`).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { SignJWT, exportJWK } from "jose";
import type { JWK } from "jose";
import { AGENT_TOKEN_TYPE } from "../../src/contract.js";
import type { KeySet, KeySource } from "../../src/keys/key-source.js";
import { AuthClientSettings } from "../../src/settings.js";

/**
 * A classical key pair: `jwk` is the PUBLIC key, with `kid` and `alg` set. `privateKey` is a node
 * KeyObject, so an RSA key can also sign RS384/PS256 etc. (algorithm-confusion tests).
 */
export interface ClassicalKey {
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
}

/** An ML-DSA-65 key pair: `jwk` is `{ kty: "AKP", alg: "ML-DSA-65", kid, pub }`. */
export interface MlDsaKey {
  readonly secretKey: Uint8Array;
  readonly jwk: JWK;
}

export type TestKey = ClassicalKey | MlDsaKey;

async function classical(alg: string, kid: string, { privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject }): Promise<ClassicalKey> {
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

/** RSA-2048, `alg: "RS256"`. */
export const rsaKey = (kid = "rsa-1"): Promise<ClassicalKey> => classical("RS256", kid, generateKeyPairSync("rsa", { modulusLength: 2048 }));
/** Ed25519, `alg: "EdDSA"`. */
export const edKey = (kid = "ed-1"): Promise<ClassicalKey> => classical("EdDSA", kid, generateKeyPairSync("ed25519"));
/** P-256, `alg: "ES256"`. */
export const ecKey = (kid = "ec-1"): Promise<ClassicalKey> => classical("ES256", kid, generateKeyPairSync("ec", { namedCurve: "P-256" }));

/** ML-DSA-65 (synchronous; noble). */
export function mlDsaKey(kid = "mldsa-1"): MlDsaKey {
  const { publicKey, secretKey } = ml_dsa65.keygen();
  return { secretKey, jwk: { kty: "AKP", alg: "ML-DSA-65", kid, pub: Buffer.from(publicKey).toString("base64url") } };
}

const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * Assembles `b64url(header).b64url(payload).signature` without signing; `signature` is used verbatim
 * (already base64url, may be ""). For `alg: none`, forged headers and other malformed input.
 */
export function encodeJwt(header: Record<string, unknown>, payload: unknown, signature = ""): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/**
 * A compact JWT signed by `key`. The protected header is `{ alg: key.jwk.alg, typ: "JWT", kid: key.jwk.kid }`
 * merged with `header` (so `{ alg: "RS384" }` signs RS384 with an RS256 key). ML-DSA tokens are built by
 * hand: signature over the ASCII of `header_b64 + "." + payload_b64`.
 */
export async function sign(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const protectedHeader = withoutUndefined({ alg: key.jwk.alg, typ: "JWT", kid: key.jwk.kid, ...header });
  if ("secretKey" in key) {
    const input = `${b64(protectedHeader)}.${b64(claims)}`;
    const signature = ml_dsa65.sign(new TextEncoder().encode(input), key.secretKey);
    return `${input}.${Buffer.from(signature).toString("base64url")}`;
  }
  return new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

/**
 * iss "https://auth.example.com", aud "my-api", sub "user-123", role "admin", iat now, exp now+3600,
 * a fresh jti; then `overrides` (`undefined` removes a claim).
 */
export function defaultClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return withoutUndefined({
    iss: "https://auth.example.com",
    aud: "my-api",
    sub: "user-123",
    role: "admin",
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    ...overrides,
  });
}

/**
 * An agent token's claims as pico-server-auth issues them: defaultClaims with aud "agent:my-api",
 * act { sub: "agent-7" }, scope "wallet:read", sid "session-1"; then `overrides` (`undefined` removes).
 */
export function agentClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return defaultClaims({ aud: "agent:my-api", act: { sub: "agent-7" }, scope: "wallet:read", sid: "session-1", ...overrides });
}

/** `sign()` with the header `typ` of agent tokens (`header` may override it). */
export function signAgent(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return sign(key, claims, { typ: AGENT_TOKEN_TYPE, ...header });
}

/** A KeySource serving fixed keys. `replace(keys)` swaps them and bumps `version` (a rotation). */
export interface StaticKeySource extends KeySource {
  replace(keys: readonly JWK[]): void;
  /** Every `getKeySet` call's options, in order (`undefined` when called without any). */
  readonly calls: ({ readonly refresh?: boolean } | undefined)[];
}

export function staticKeySource(keys: readonly JWK[]): StaticKeySource {
  let current: KeySet = { keys: [...keys], version: 1 };
  const calls: ({ readonly refresh?: boolean } | undefined)[] = [];
  return {
    calls,
    async getKeySet(options) {
      calls.push(options);
      return current;
    },
    replace(next) {
      current = { keys: [...next], version: current.version + 1 };
    },
  };
}

/** `new AuthClientSettings()` with issuer "https://auth.example.com", audience "my-api", then `overrides`. */
export function settings(overrides: Partial<AuthClientSettings> = {}): AuthClientSettings {
  return Object.assign(new AuthClientSettings(), { issuer: "https://auth.example.com", audience: "my-api" }, overrides);
}

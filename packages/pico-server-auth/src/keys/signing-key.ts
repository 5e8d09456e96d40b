import { createHash } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from "jose";
import type { JWK, JWTPayload } from "jose";
import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnInit, Token } from "pico-ioc";
import { ServerAuthConfigurationError } from "../errors.js";
import { readJsonFile, writeJsonFile } from "../files.js";
import { ServerAuthSettings } from "../settings.js";

export const JWKS_PATH = "/api/v1/auth/jwks";
const KEY_FILE = "signing-key.json";

/** pico-client-auth's in-process key source looks for this (a shared `Symbol.for`, no dependency). */
export const LOCAL_JWKS = Symbol.for("pico-auth.local-jwks") as Token<SigningKey>;

interface StoredKey {
  readonly alg: string;
  /** The private JWK (classical algorithms) or the 32-byte ML-DSA seed, base64url. */
  readonly privateJwk?: JWK;
  readonly mlDsaSeed?: string;
}

/**
 * The token signing key: loaded from `data_dir` when there is one (so tokens survive restarts),
 * else generated at boot. `kid` is the RFC 7638 thumbprint, so a new key always has a new kid and
 * clients with a cached key set refetch it.
 */
@component({ provides: LOCAL_JWKS })
export class SigningKey implements OnInit {
  readonly issuer: string;
  readonly jwksPath = JWKS_PATH;
  readonly #settings: ServerAuthSettings;
  readonly #logger: Logger;
  #sign: ((payload: JWTPayload) => Promise<string>) | undefined;
  #jwks: { readonly keys: readonly JWK[] } | undefined;

  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.issuer = settings.issuer;
  }

  async onInit(): Promise<void> {
    const { dataDir, algorithm } = this.#settings;
    let stored = dataDir ? await readJsonFile<StoredKey>(dataDir, KEY_FILE) : undefined;
    if (stored && stored.alg !== algorithm) {
      throw new ServerAuthConfigurationError(`server_auth.algorithm is ${algorithm} but ${dataDir}/${KEY_FILE} holds a ${stored.alg} key; move the file away to generate a new key`);
    }
    if (!stored) {
      stored = await generate(algorithm);
      if (dataDir) {
        await writeJsonFile(dataDir, KEY_FILE, stored);
        this.#logger.info(`pico-server-auth: new ${algorithm} signing key saved to ${dataDir}/${KEY_FILE}`);
      } else {
        this.#logger.warn("pico-server-auth: no server_auth.data_dir, so the signing key is ephemeral: tokens issued now stop validating after a restart");
      }
    }
    await this.#use(stored);
  }

  /** The public key set, the same object while the key is unchanged. */
  async jwks(): Promise<{ readonly keys: readonly JWK[] }> {
    if (!this.#jwks) throw new Error("SigningKey used before onInit");
    return this.#jwks;
  }

  sign(payload: JWTPayload): Promise<string> {
    if (!this.#sign) throw new Error("SigningKey used before onInit");
    return this.#sign(payload);
  }

  async #use(stored: StoredKey): Promise<void> {
    if (stored.alg === "ML-DSA-65") {
      const { publicKey, secretKey } = ml_dsa65.keygen(Buffer.from(stored.mlDsaSeed ?? "", "base64url"));
      const pub = Buffer.from(publicKey).toString("base64url");
      const kid = akpThumbprint(stored.alg, pub);
      this.#jwks = Object.freeze({ keys: Object.freeze([Object.freeze({ kty: "AKP", alg: stored.alg, use: "sig", kid, pub })]) });
      this.#sign = async (payload) => signMlDsa(payload, kid, secretKey);
      return;
    }
    const privateJwk = stored.privateJwk as JWK;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
    const kid = await calculateJwkThumbprint(publicJwk, "sha256");
    const key = await importJWK(privateJwk, stored.alg);
    this.#jwks = Object.freeze({ keys: Object.freeze([Object.freeze({ ...publicJwk, alg: stored.alg, use: "sig", kid })]) });
    this.#sign = (payload) => new SignJWT(payload).setProtectedHeader({ alg: stored.alg, typ: "JWT", kid }).sign(key);
  }
}

async function generate(alg: string): Promise<StoredKey> {
  if (alg === "ML-DSA-65") return { alg, mlDsaSeed: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url") };
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  return { alg, privateJwk: await exportJWK(privateKey) };
}

/** ML-DSA JWS by hand: jose's ML-DSA needs WebCrypto ML-DSA, which Node 20 lacks. */
function signMlDsa(payload: JWTPayload, kid: string, secretKey: Uint8Array): string {
  const header = Buffer.from(JSON.stringify({ alg: "ML-DSA-65", typ: "JWT", kid })).toString("base64url");
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const signature = ml_dsa65.sign(new TextEncoder().encode(`${header}.${body}`), secretKey);
  return `${header}.${body}.${Buffer.from(signature).toString("base64url")}`;
}

/** RFC 7638 style thumbprint over the AKP key's required members, in lexical order. */
function akpThumbprint(alg: string, pub: string): string {
  return createHash("sha256").update(JSON.stringify({ alg, kty: "AKP", pub })).digest("base64url");
}

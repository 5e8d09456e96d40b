/**
 * The keys of the stand-in IdP (stand-in-idp.ts), published as real IdPs publish them: RFC 7638
 * thumbprint kids, `x5c` certificates (real self-signed X.509, made by the openssl CLI) with `x5t`
 * and `x5t#S256`, an Entra-style key without `alg` whose kid is its `x5t`, a `use: "enc"` key, and
 * optionally an RFC 9964 `AKP` (ML-DSA-65) key.
 * @module
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { CompactSign, calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from "jose";
import type { CryptoKey, JWK } from "jose";

/**
 * Which key signs: `rsa` (RS256, the usual), `rsa-no-alg` (RS256 with a key published without `alg`,
 * as Entra ID does), `ec` (ES256), `ed` (EdDSA), `ml-dsa` (ML-DSA-65, only with `akp: true`), and
 * `rsa-enc`: the `use: "enc"` key, which no IdP signs with (for tests that such a token is refused).
 */
export type IdpKeyName = "rsa" | "rsa-no-alg" | "ec" | "ed" | "ml-dsa" | "rsa-enc";

export interface IdpKey {
  readonly name: IdpKeyName;
  /** The JWS `alg` its tokens carry. */
  readonly alg: string;
  /** The public key as published in the key set. */
  readonly jwk: JWK;
  /** The compact JWS of `payload` under `header` (which must carry `alg`). */
  sign(header: Record<string, unknown>, payload: Uint8Array): Promise<string>;
}

/** A classical key pair from jose (extractable, so its JWK and PKCS#8 can be exported). */
async function classical(name: IdpKeyName, alg: string, members: (jwk: JWK, cert: Certificate) => JWK): Promise<IdpKey> {
  const generateAlg = alg === "RSA-OAEP" ? "RS256" : alg;
  const { publicKey, privateKey } = await generateKeyPair(generateAlg, { extractable: true });
  const bare = await exportJWK(publicKey);
  const cert = await selfSignedCertificate(await exportPKCS8(privateKey), name);
  const jwk = members(bare, cert);
  return { name, alg: generateAlg, jwk, sign: (header, payload) => signClassical(privateKey, header, payload) };
}

function signClassical(privateKey: CryptoKey, header: Record<string, unknown>, payload: Uint8Array): Promise<string> {
  return new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(privateKey);
}

interface Certificate {
  /** `x5c`: the DER certificate, standard base64. */
  readonly x5c: string[];
  readonly x5t: string;
  readonly "x5t#S256": string;
}

/** A self-signed certificate for the key, valid two days, in the members a JWK carries it in. */
async function selfSignedCertificate(pkcs8Pem: string, name: string): Promise<Certificate> {
  // A file of its own: openssl cannot read a key from the socket Node gives a child as its stdin.
  const dir = await mkdtemp(join(tmpdir(), "stand-in-idp-"));
  let der: Buffer;
  try {
    const keyFile = join(dir, "key.pem");
    await writeFile(keyFile, pkcs8Pem, { mode: 0o600 });
    der = await openssl(["req", "-x509", "-new", "-key", keyFile, "-subj", `/CN=stand-in-idp ${name}`, "-days", "2", "-outform", "DER"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    x5c: [der.toString("base64")],
    x5t: createHash("sha1").update(der).digest("base64url"),
    "x5t#S256": createHash("sha256").update(der).digest("base64url"),
  };
}

function openssl(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", (error) => reject(new Error(`stand-in IdP: cannot run the openssl CLI (package openssl) for its x5c certificates: ${error.message}`)));
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`openssl ${args.join(" ")} exited ${code}: ${err}`))));
  });
}

const withThumbprintKid = async (jwk: JWK): Promise<JWK> => ({ kid: await calculateJwkThumbprint(jwk), ...jwk });

/** RS256 with `alg`, `use: sig`, a thumbprint kid and its certificate: Keycloak's, Auth0's shape. */
export async function rsaKey(): Promise<IdpKey> {
  const key = await classical("rsa", "RS256", (jwk, cert) => ({ ...jwk, use: "sig", alg: "RS256", ...cert }));
  return { ...key, jwk: await withThumbprintKid(key.jwk) };
}

/** Entra ID's shape: no `alg`, kid = `x5t`, and an `issuer` member verifiers do not know. */
export async function rsaKeyWithoutAlg(issuer: string): Promise<IdpKey> {
  return classical("rsa-no-alg", "RS256", (jwk, cert) => ({ kty: jwk.kty, use: "sig", kid: cert.x5t, x5t: cert.x5t, n: jwk.n, e: jwk.e, x5c: cert.x5c, issuer }));
}

/** An encryption key (`use: enc`, `alg: RSA-OAEP`), listed first as Keycloak does. */
export async function encryptionKey(): Promise<IdpKey> {
  const key = await classical("rsa-enc", "RSA-OAEP", (jwk, cert) => ({ ...jwk, use: "enc", alg: "RSA-OAEP", ...cert }));
  return { ...key, jwk: await withThumbprintKid(key.jwk) };
}

export async function ecKey(): Promise<IdpKey> {
  const key = await classical("ec", "ES256", (jwk, cert) => ({ ...jwk, use: "sig", alg: "ES256", x5c: cert.x5c, x5t: cert.x5t }));
  return { ...key, jwk: await withThumbprintKid(key.jwk) };
}

export async function edKey(): Promise<IdpKey> {
  const key = await classical("ed", "EdDSA", (jwk) => ({ ...jwk, use: "sig", alg: "EdDSA" }));
  return { ...key, jwk: await withThumbprintKid(key.jwk) };
}

/** ML-DSA-65 as RFC 9964 publishes it (noble signs: WebCrypto has no ML-DSA before Node 24.7). */
export async function mlDsaKey(): Promise<IdpKey> {
  const { publicKey, secretKey } = ml_dsa65.keygen();
  const jwk = await withThumbprintKid({ kty: "AKP", alg: "ML-DSA-65", pub: Buffer.from(publicKey).toString("base64url"), use: "sig" });
  return {
    name: "ml-dsa",
    alg: "ML-DSA-65",
    jwk,
    async sign(header, payload) {
      const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
      return `${input}.${Buffer.from(ml_dsa65.sign(new TextEncoder().encode(input), secretKey)).toString("base64url")}`;
    },
  };
}

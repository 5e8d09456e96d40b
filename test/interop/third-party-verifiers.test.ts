/**
 * Our tokens in a third-party verifier: pico-server-auth signs access tokens (a wallet sign-in, the
 * real path) with every `server_auth.algorithm`, and jose verifies them from the published key set.
 * jose verifies ML-DSA-65 only through WebCrypto (Node >= 24.7): where the runtime has it, the
 * ML-DSA token must verify; where it does not, jose must refuse it. `pnpm test:interop:node24` runs
 * this file on Node 24 (scripts/node-runtime.mjs).
 *
 * Runs on a Node whose native addons were not built for it: nothing here may load argon2 or
 * better-sqlite3 (store "memory", no admin login).
 */
import { createRequire } from "node:module";
import { Application } from "pico-boot";
import { JWKS_PATH, SigningKeys } from "pico-server-auth";
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519Wallet, walletSignIn } from "../../packages/pico-server-auth/test/support.js";
import { quiet, workspaceRoot } from "./support.js";

const JOSE_VERSION = (createRequire(import.meta.url)("jose/package.json") as { version: string }).version;
const ISSUER = "https://auth.example.com";
const AUDIENCE = "my-api";
const ALGORITHMS = ["RS256", "ES256", "EdDSA", "ML-DSA-65"] as const;
type Algorithm = (typeof ALGORITHMS)[number];

/** The runner for Node 24 sets this, so a runtime without WebCrypto ML-DSA cannot pass there. */
const REQUIRE_ML_DSA = process.env.INTEROP_REQUIRE_WEBCRYPTO_ML_DSA === "1";

/** Whether this runtime's WebCrypto has ML-DSA-65 (Node >= 24.7): what jose needs to verify it. */
async function webCryptoHasMlDsa(): Promise<boolean> {
  try {
    await crypto.subtle.generateKey({ name: "ML-DSA-65" }, false, ["sign", "verify"]);
    return true;
  } catch {
    return false;
  }
}

function authServer(algorithm: Algorithm): Application {
  return new Application({
    moduleNames: ["pico_server_auth"],
    root: workspaceRoot,
    autoPlugins: false,
    env: {},
    envFile: false,
    logger: quiet,
    config: { server_auth: { issuer: ISSUER, audience: AUDIENCE, algorithm, store: "memory" } },
  });
}

async function accessToken(app: Application): Promise<string> {
  const res = await walletSignIn(app, ed25519Wallet());
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function publishedKeys(app: Application): Promise<JSONWebKeySet> {
  return (await (await app.request(JWKS_PATH)).json()) as JSONWebKeySet;
}

/** jose's own verification of an access token of ours, as a service using jose would configure it. */
function joseVerify(token: string, jwks: JSONWebKeySet, algorithm: string) {
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: AUDIENCE, typ: "at+jwt", algorithms: [algorithm] });
}

/**
 * How jose refuses ML-DSA where WebCrypto lacks it (measured: jose 6.2 on Node 20 passes WebCrypto's
 * own error through, a DOMException NotSupportedError "Unrecognized algorithm name").
 */
async function expectRefusedByRuntime(verifying: Promise<unknown>): Promise<void> {
  await expect(verifying).rejects.toMatchObject({ name: "NotSupportedError", message: "Unrecognized algorithm name" });
}

/** The token with one payload character changed: its signature no longer holds. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const flipped = payload.slice(0, 10) + (payload[10] === "A" ? "B" : "A") + payload.slice(11);
  return `${header}.${flipped}.${signature}`;
}

let mlDsa: boolean;
beforeAll(async () => {
  mlDsa = await webCryptoHasMlDsa();
});

describe(`jose ${JOSE_VERSION} verifies our access tokens (Node ${process.versions.node})`, () => {
  it("the runtime probe: WebCrypto ML-DSA-65 is there when this run requires it", () => {
    if (REQUIRE_ML_DSA) expect(mlDsa).toBe(true);
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    // Node added ML-DSA to WebCrypto in 24.7.0: the probe must agree with the version.
    expect(mlDsa).toBe(major > 24 || (major === 24 && minor >= 7));
  });

  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: verified where jose supports it on this runtime, refused where it does not`, async () => {
      const app = authServer(algorithm);
      try {
        const token = await accessToken(app);
        const jwks = await publishedKeys(app);
        expect(decodeProtectedHeader(token)).toMatchObject({ alg: algorithm, typ: "at+jwt", kid: jwks.keys[0]?.kid });
        if (algorithm === "ML-DSA-65" && !mlDsa) {
          await expectRefusedByRuntime(joseVerify(token, jwks, algorithm));
          return;
        }
        const { payload, protectedHeader } = await joseVerify(token, jwks, algorithm);
        expect(protectedHeader.alg).toBe(algorithm);
        expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, client_id: AUDIENCE, sub: expect.stringMatching(/^0x[0-9a-f]{40}$/) });
        await expect(joseVerify(tampered(token), jwks, algorithm)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
      } finally {
        await app.stop();
      }
    });
  }

  it("after an RS256 → ML-DSA-65 switch, RS256 tokens still valid keep verifying (jose skips the AKP key); the new ones per runtime", async () => {
    const app = authServer("RS256");
    try {
      const before = await accessToken(app);
      await app.container.get(SigningKeys).rotate("ML-DSA-65");
      const after = await accessToken(app);
      const jwks = await publishedKeys(app);
      expect(jwks.keys.map((k) => k.kty).sort()).toEqual(["AKP", "RSA"]);
      expect((await joseVerify(before, jwks, "RS256")).protectedHeader.alg).toBe("RS256");
      const verified = joseVerify(after, jwks, "ML-DSA-65");
      if (mlDsa) expect((await verified).protectedHeader.alg).toBe("ML-DSA-65");
      else await expectRefusedByRuntime(verified);
    } finally {
      await app.stop();
    }
  });
});

/**
 * The attack catalogue, token side (docs/security.md): each test forges or tampers with a token the
 * way an attacker would and sends it through the guard of a real Application, asserting the exact
 * 401 answer. Tokens are signed here with node:crypto / jose; key rotation, withdrawal and logout
 * with tokens of a real pico-server-auth are in pico-server-auth/test/attacks-jwt.test.ts.
 */
import { createHmac, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import type { KeyLike, SignKeyObjectInput } from "node:crypto";
import { exportJWK } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { controller, get } from "pico-hono";
import { SecurityContext, TokenVerifier } from "../src/index.js";
import { AuthClientError } from "../src/errors.js";
import { authApp, authConfig, bearer } from "./app.js";
import { defaultClaims, ecKey, encodeJwt, rsaKey, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey, StaticKeySource } from "./support/tokens.js";

@controller({ prefix: "/api" })
class Api {
  @get("/profile")
  profile() {
    return { sub: SecurityContext.current().claims.sub };
  }
}

let rsa: ClassicalKey, ec: ClassicalKey, attacker: ClassicalKey;
beforeAll(async () => {
  [rsa, ec, attacker] = await Promise.all([rsaKey("k1"), ecKey("ec-1"), rsaKey("attacker")]);
});
afterEach(() => vi.unstubAllGlobals());

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A compact JWS signed with node:crypto exactly as given (headers jose would refuse to produce). */
function nodeSigned(hash: string | null, key: KeyLike | SignKeyObjectInput, header: Record<string, unknown>, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`; // a string payload is taken as the JSON text itself
  return `${input}.${nodeSign(hash, Buffer.from(input), key).toString("base64url")}`;
}

function app(options: { keys?: StaticKeySource; maxTokenLength?: number } = {}) {
  const keys = options.keys ?? staticKeySource([rsa.jwk, ec.jwk]);
  const auth_client = { ...authConfig, accepted_algorithms: ["RS256", "ES256"], ...(options.maxTokenLength ? { max_token_length: options.maxTokenLength } : {}) };
  return authApp([Api], keys, { config: { auth_client } });
}

async function call(application: ReturnType<typeof app>, token: string) {
  const res = await application.request("/api/profile", bearer(token));
  return { status: res.status, body: (await res.json()) as unknown };
}

/** The JSON of `claims` plus a claim `name` holding arrays nested `depth` deep (JSON.stringify would overflow). */
const withDeepClaim = (claims: Record<string, unknown>, name: string, depth: number) =>
  `${JSON.stringify(claims).slice(0, -1)},"${name}":${"[".repeat(depth)}${"]".repeat(depth)}}`;

const MiB = 1024 * 1024;
const refused = (detail: string) => ({ status: 401, body: { detail } });
const header = (extra: Record<string, unknown> = {}) => ({ alg: "RS256", typ: "JWT", kid: "k1", ...extra });

describe("attacks on tokens: algorithm confusion", () => {
  it("alg none (any spelling), unsigned or with a signature, is refused", async () => {
    const application = app();
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      expect(await call(application, encodeJwt({ alg, typ: "JWT", kid: "k1" }, defaultClaims(), ""))).toEqual(refused(`Algorithm '${alg}' is not accepted`));
      expect(await call(application, encodeJwt({ alg, typ: "JWT" }, defaultClaims(), "c2ln"))).toEqual(refused(`Algorithm '${alg}' is not accepted`));
    }
    // The control: the same claims, properly signed, are let in.
    expect((await call(application, await sign(rsa, defaultClaims()))).status).toBe(200);
  });

  it("HS256 signed with the RSA or EC public key (PEM, DER or JWK JSON) as the HMAC secret is refused", async () => {
    const application = app();
    for (const key of [rsa, ec]) {
      const publicKey = (await import("node:crypto")).createPublicKey({ key: key.jwk as never, format: "jwk" });
      const secrets = [publicKey.export({ type: "spki", format: "pem" }), publicKey.export({ type: "spki", format: "der" }), JSON.stringify(key.jwk)];
      for (const secret of secrets) {
        for (const alg of ["HS256", "HS384", "HS512", "hs256"]) {
          const input = `${b64({ alg, typ: "JWT", kid: key.jwk.kid })}.${b64(defaultClaims())}`;
          const mac = createHmac(`sha${alg.slice(2)}`, secret).update(input).digest("base64url");
          expect(await call(application, `${input}.${mac}`)).toEqual(refused(`Symmetric algorithm '${alg}' is not permitted`));
        }
      }
    }
  });

  it("a header alg other than the JWK's alg finds no key: RS384/PS256 with the RS256 key, ES256 under the RSA kid", async () => {
    const keys = staticKeySource([rsa.jwk, ec.jwk]);
    const application = authApp([Api], keys, { config: { auth_client: { ...authConfig, accepted_algorithms: ["RS256", "RS384", "PS256", "ES256"] } } });
    const noKey = refused("Invalid token: no matching signing key");
    expect(await call(application, nodeSigned("sha384", rsa.privateKey, header({ alg: "RS384" }), defaultClaims()))).toEqual(noKey);
    expect(await call(application, await sign(rsa, defaultClaims(), { alg: "PS256" }))).toEqual(noKey);
    // The EC key's signature under the RSA key's kid, and the other way round.
    expect(await call(application, nodeSigned("sha256", { key: ec.privateKey, dsaEncoding: "ieee-p1363" }, header({ alg: "ES256" }), defaultClaims()))).toEqual(noKey);
    expect(await call(application, nodeSigned("sha256", rsa.privateKey, header({ kid: "ec-1" }), defaultClaims()))).toEqual(noKey);
  });
});

describe("attacks on tokens: keys named in the header", () => {
  it("a jwk header carrying the attacker's key is never trusted: signed by that key, the token is refused", async () => {
    const application = app();
    const embedded = { ...(await exportJWK(attacker.privateKey)), d: undefined, p: undefined, q: undefined, dp: undefined, dq: undefined, qi: undefined };
    const publicJwk = JSON.parse(JSON.stringify({ ...embedded, alg: "RS256" })) as Record<string, unknown>;
    const bad = refused("Invalid token: signature verification failed");
    // Under the trusted kid, without a kid (one RS256 key fits), and under the attacker's own kid.
    expect(await call(application, nodeSigned("sha256", attacker.privateKey, header({ jwk: publicJwk }), defaultClaims()))).toEqual(bad);
    expect(await call(application, nodeSigned("sha256", attacker.privateKey, header({ kid: undefined, jwk: publicJwk }), defaultClaims()))).toEqual(bad);
    expect(await call(application, nodeSigned("sha256", attacker.privateKey, header({ kid: "attacker", jwk: { ...publicJwk, kid: "attacker" } }), defaultClaims()))).toEqual(
      refused("Invalid token: no matching signing key"),
    );
  });

  it("jku, x5u and x5c headers are ignored: nothing is fetched, and the attacker's signature is refused", async () => {
    const fetchSpy = vi.fn(async () => new Response(JSON.stringify({ keys: [attacker.jwk] })));
    vi.stubGlobal("fetch", fetchSpy);
    const keys = staticKeySource([rsa.jwk, ec.jwk]);
    const application = app({ keys });
    const attackerCert = Buffer.from("not really a certificate, and never read").toString("base64");
    const bad = refused("Invalid token: signature verification failed");
    for (const extra of [{ jku: "https://evil.example/jwks.json" }, { x5u: "https://evil.example/cert.pem" }, { x5c: [attackerCert] }, { x5t: "AAAA", "x5t#S256": "AAAA" }]) {
      expect(await call(application, nodeSigned("sha256", attacker.privateKey, header(extra), defaultClaims()))).toEqual(bad);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
    // Only the configured key source was asked, and never to refetch: the kid was known.
    expect(keys.calls.filter((c) => c?.refresh === true)).toEqual([]);
  });

  it("a kid with path traversal or SQL finds no key and is not echoed", async () => {
    const keys = staticKeySource([rsa.jwk]);
    const application = app({ keys });
    for (const kid of ["../../etc/passwd", "' OR 1=1 --", "k1' OR '1'='1", "/dev/stdin", "k1\u0000", "%2e%2e%2fk1", "k1 "]) {
      const response = await application.request("/api/profile", bearer(nodeSigned("sha256", rsa.privateKey, header({ kid }), defaultClaims())));
      expect({ status: response.status, body: await response.json() }).toEqual(refused("Invalid token: no matching signing key"));
      expect(response.headers.get("www-authenticate")).not.toContain(kid);
    }
    // A kid that is not a string at all.
    expect(await call(application, nodeSigned("sha256", rsa.privateKey, header({ kid: { $ne: null } }), defaultClaims()))).toEqual(refused("Invalid token: malformed header"));
  });
});

describe("attacks on tokens: headers that change what is signed", () => {
  it("an unknown crit header is refused, even when the token is signed by the trusted key", async () => {
    const application = app();
    for (const crit of [["exp"], ["http://example.com/unknown"], [], "b64"]) {
      expect(await call(application, nodeSigned("sha256", rsa.privateKey, header({ crit, "http://example.com/unknown": true }), defaultClaims()))).toEqual(
        refused('Invalid token: unsupported header parameter "crit"'),
      );
    }
  });

  it("b64: false (an unencoded payload) is refused, signed over either form of the payload", async () => {
    const application = app();
    const claims = defaultClaims();
    const encodedHeader = b64(header({ b64: false, crit: undefined }));
    const raw = JSON.stringify(claims);
    const rawSignature = nodeSign("sha256", Buffer.from(`${encodedHeader}.${raw}`), rsa.privateKey).toString("base64url");
    const b64False = refused('Invalid token: unsupported header parameter "b64"');
    expect(await call(application, `${encodedHeader}.${b64(raw)}.${rawSignature}`)).toEqual(b64False);
    expect(await call(application, nodeSigned("sha256", rsa.privateKey, header({ b64: false }), claims))).toEqual(b64False);
    // Detached, as RFC 7797 allows: an empty payload part.
    expect(await call(application, `${encodedHeader}..${rawSignature}`)).toEqual(b64False);
  });
});

describe("attacks on tokens: signatures", () => {
  it("a stripped, truncated or foreign signature, or a payload swapped under a valid signature, is refused", async () => {
    const application = app();
    const valid = await sign(rsa, defaultClaims({ role: "viewer" }));
    const [h, p, s] = valid.split(".") as [string, string, string];
    const bad = refused("Invalid token: signature verification failed");
    expect(await call(application, `${h}.${p}.`)).toEqual(bad);
    expect(await call(application, `${h}.${p}`)).toEqual(refused("Invalid token: malformed"));
    expect(await call(application, `${h}.${p}.${s.slice(0, -4)}`)).toEqual(bad);
    expect(await call(application, `${h}.${p}.${s}AAAA`)).toEqual(bad);
    expect(await call(application, `${h}.${b64(defaultClaims({ role: "admin" }))}.${s}`)).toEqual(bad);
    // Signed by another RSA key that claims the trusted kid.
    const impostor = await rsaKey("k1");
    expect(await call(application, await sign(impostor, defaultClaims()))).toEqual(bad);
    expect((await call(application, valid)).status).toBe(200);
  });
});

describe("attacks on tokens: claims", () => {
  it("expired, not yet valid, wrong iss, wrong aud, no exp: each refused with its own detail", async () => {
    const application = app();
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, unknown>, string][] = [
      [{ exp: now - 60 }, "Token has expired"],
      [{ exp: now - 5 }, "Token has expired"], // at the leeway's edge
      [{ nbf: now + 3600 }, "Invalid token: token is not yet valid (nbf)"],
      [{ nbf: String(now) }, 'Invalid token: "nbf" claim must be a number'],
      [{ iss: "https://evil.example.com" }, "Invalid token: issuer mismatch"],
      [{ iss: "https://auth.example.com/" }, "Invalid token: issuer mismatch"],
      [{ aud: "another-api" }, "Invalid token: audience mismatch"],
      [{ aud: ["another-api", "my-api-2"] }, "Invalid token: audience mismatch"],
      [{ exp: undefined }, 'Invalid token: "exp" claim missing or not a number'],
      [{ exp: "9999999999" }, 'Invalid token: "exp" claim missing or not a number'],
      [{ exp: null }, 'Invalid token: "exp" claim missing or not a number'],
    ];
    for (const [overrides, detail] of cases) {
      expect(await call(application, await sign(rsa, defaultClaims(overrides))), detail).toEqual(refused(detail));
    }
  });

  it("a refresh token (or any type but access) used as an access token is refused", async () => {
    const application = app();
    expect(await call(application, await sign(rsa, defaultClaims({ type: "refresh" })))).toEqual(refused("Invalid token: refresh tokens are not accepted here"));
    expect(await call(application, await sign(rsa, defaultClaims({ type: "id" })))).toEqual(refused("Invalid token: id tokens are not accepted here"));
    expect(await call(application, await sign(rsa, defaultClaims({ type: ["access"] })))).toEqual(refused("Invalid token: non-access tokens are not accepted here"));
  });
});

describe("attacks on tokens: size and depth", () => {
  it("a 1 MiB token is refused as too long, fast", async () => {
    const application = app();
    await application.init();
    const huge = `${b64(header())}.${"A".repeat(1024 * 1024)}.${"A".repeat(342)}`;
    const started = performance.now();
    expect(await call(application, huge)).toEqual(refused("Invalid token: too long"));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("a 1 MiB Authorization header of blanks or words (regular-expression backtracking) is refused fast", async () => {
    const application = app();
    await application.init();
    for (const value of [`Bearer ${"a ".repeat(512 * 1024)}`, ` ${" ".repeat(MiB)}bearer`, `bearer${"\t".repeat(MiB)}x y`, `Bearer ${"a".repeat(MiB)} `]) {
      const started = performance.now();
      const res = await application.request("/api/profile", { headers: { authorization: value } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/^(Missing or invalid Authorization header|Invalid token: too long)$/);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it("a 10 000-deep nested JSON payload or header answers 401 within 1 s, also with the length limit raised", async () => {
    const application = app({ maxTokenLength: 4 * 1024 * 1024 });
    await application.init();
    const deepArray = "[".repeat(10_000) + "]".repeat(10_000);
    const deepObject = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
    const cases: [string, string][] = [
      // Signed by the trusted key: the payload parses, then is not a claims object / has no exp.
      [`${nodeSigned("sha256", rsa.privateKey, header(), deepArray)}`, "Invalid token: malformed payload"],
      [`${nodeSigned("sha256", rsa.privateKey, header(), deepObject)}`, 'Invalid token: "exp" claim missing or not a number'],
      // Not signed: refused at the signature, before the payload is ever parsed.
      [`${b64(header())}.${b64(deepArray)}.c2ln`, "Invalid token: signature verification failed"],
      // A deep header: parsed, then the signature fails.
      [`${b64(`{"alg":"RS256","kid":"k1","x":${deepArray}}`)}.${b64(defaultClaims())}.c2ln`, "Invalid token: signature verification failed"],
    ];
    for (const [token, detail] of cases) {
      const started = performance.now();
      expect(await call(application, token)).toEqual(refused(detail));
      expect(performance.now() - started).toBeLessThan(1000);
    }
    // With the default limit, the same tokens never reach a parser.
    expect(await call(app(), cases[0]![0])).toEqual(refused("Invalid token: too long"));
  });

  it("a valid token whose claims nest 10 000 deep is verified without a stack overflow (was a 500)", async () => {
    const application = app({ maxTokenLength: 4 * 1024 * 1024 });
    const token = nodeSigned("sha256", rsa.privateKey, header(), withDeepClaim(defaultClaims(), "deep", 10_000));
    const started = performance.now();
    expect(await call(application, token)).toEqual({ status: 200, body: { sub: "user-123" } });
    expect(performance.now() - started).toBeLessThan(1000);
    // TokenVerifier on its own (no length limit at all): 100 000 deep, still no RangeError.
    const verifier = (await app().init()).container.get(TokenVerifier);
    const claims = await verifier.verify(nodeSigned("sha256", rsa.privateKey, header(), withDeepClaim(defaultClaims(), "deeper", 100_000)));
    expect(Object.isFrozen(claims.deeper)).toBe(true);
    const refusal = await verifier.verify(nodeSigned("sha256", rsa.privateKey, header(), withDeepClaim(defaultClaims({ aud: "x" }), "deeper", 100_000))).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AuthClientError);
    expect((refusal as AuthClientError).status).toBe(401);
  });
});

describe("attacks on tokens: a key of another kind", () => {
  it("an Ed25519 key's signature under an RS256 header and the RSA kid is refused", async () => {
    const application = app();
    const { privateKey } = generateKeyPairSync("ed25519");
    expect(await call(application, nodeSigned(null, privateKey, header(), defaultClaims()))).toEqual(refused("Invalid token: signature verification failed"));
  });
});

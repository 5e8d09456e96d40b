import { createPublicKey, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import type { KeyLike, SignKeyObjectInput } from "node:crypto";
import { CompactSign, SignJWT } from "jose";
import type { JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuthClientError } from "../src/errors.js";
import type { KeySet, KeySource } from "../src/keys/key-source.js";
import type { AuthClientSettings } from "../src/settings.js";
import { TokenCache } from "../src/token/token-cache.js";
import { NO_REVOCATION_CHECK } from "../src/revocation/default-revocation-check.js";
import { TokenVerifier } from "../src/token/token-verifier.js";
import { defaultClaims, ecKey, edKey, encodeJwt, mlDsaKey, rsaKey, settings, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey, MlDsaKey } from "./support/tokens.js";

const NOW = 1_800_000_000;
let rsa: ClassicalKey, ec: ClassicalKey, ed: ClassicalKey, ml: MlDsaKey, impostor: ClassicalKey;
beforeAll(async () => {
  [rsa, ec, ed, impostor] = await Promise.all([rsaKey("rsa-1"), ecKey("ec-1"), edKey("ed-1"), rsaKey("rsa-1")]);
  ml = mlDsaKey("ml-1");
});

const claims = (overrides: Record<string, unknown> = {}) => defaultClaims({ iat: NOW, exp: NOW + 3600, jti: "jti-1", ...overrides });

function verifierFor(keys: readonly JWK[] | KeySource, overrides: Partial<AuthClientSettings> = {}) {
  const source = Array.isArray(keys) ? staticKeySource(keys) : (keys as KeySource);
  const verifier = new TokenVerifier(settings(overrides), source, NO_REVOCATION_CHECK);
  verifier.now = () => NOW;
  return verifier;
}

/** A compact JWS signed with node:crypto as given: for keys and headers jose itself refuses to sign with. */
function nodeSigned(hash: string, key: KeyLike | SignKeyObjectInput, header: Record<string, unknown>, payload: unknown): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${input}.${nodeSign(hash, Buffer.from(input), key).toString("base64url")}`;
}

/** The AuthClientError a verification fails with, as `[code, status, message]`. */
async function failure(verifier: TokenVerifier, token: string): Promise<[string, number, string]> {
  const error = await verifier.verify(token).then(() => "resolved", (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthClientError);
  const { code, status, message } = error as AuthClientError;
  return [code, status, message];
}
const invalid = (message: string): [string, number, string] => ["TOKEN_INVALID", 401, message];

/** A key source whose keys can change WITHOUT a version bump: shows what the cache answers from. */
function mutableSource(keys: JWK[]): KeySource & { set: KeySet } {
  return { set: { keys, version: 1 }, async getKeySet() { return this.set; } };
}

describe("TokenVerifier: signatures and algorithms", () => {
  it("accepts RS256, ES256, EdDSA and ML-DSA-65 tokens and returns their claims", async () => {
    const verifier = verifierFor([rsa.jwk, ec.jwk, ed.jwk, ml.jwk]);
    for (const key of [rsa, ec, ed, ml]) {
      const body = claims({ sub: `sub-${key.jwk.kid}` });
      expect(await verifier.verify(await sign(key, body)), key.jwk.alg).toEqual(body);
    }
  });

  it("refuses HS* signed with the RSA public key as the secret, before any key lookup", async () => {
    const source = staticKeySource([rsa.jwk]);
    const verifier = verifierFor(source);
    const pem = createPublicKey({ key: rsa.jwk, format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
    for (const [alg, secret] of [["HS256", pem], ["HS256", JSON.stringify(rsa.jwk)], ["HS512", pem]] as const) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg, kid: "rsa-1" }).sign(new TextEncoder().encode(secret));
      expect(await failure(verifier, token)).toEqual(invalid(`Symmetric algorithm '${alg}' is not permitted`));
    }
    const lower = encodeJwt({ alg: "hs256", kid: "rsa-1" }, claims(), "c2ln");
    expect(await failure(verifier, lower)).toEqual(invalid("Symmetric algorithm 'hs256' is not permitted"));
    expect(source.calls).toEqual([]); // refused from the header alone: no key lookup at all
  });

  it("refuses alg none and algorithms outside accepted_algorithms", async () => {
    const verifier = verifierFor([rsa.jwk, ml.jwk], { acceptedAlgorithms: ["RS256"] });
    expect(await failure(verifier, encodeJwt({ alg: "none", typ: "JWT" }, claims()))).toEqual(invalid("Algorithm 'none' is not accepted"));
    expect(await failure(verifier, await sign(rsa, claims(), { alg: "PS256" }))).toEqual(invalid("Algorithm 'PS256' is not accepted"));
    expect(await failure(verifier, await sign(ml, claims()))).toEqual(invalid("Algorithm 'ML-DSA-65' is not accepted"));
    expect(await failure(verifier, await sign(rsa, claims(), { alg: "RS384" }))).toEqual(invalid("Algorithm 'RS384' is not accepted"));
    const odd = encodeJwt({ alg: `${"A".repeat(30)}\n${"B".repeat(10)}` }, claims(), "c2ln");
    expect(await failure(verifier, odd)).toEqual(invalid(`Algorithm '${"A".repeat(30)}?B...' is not accepted`));
  });

  it("pins the key to the header alg: a JWK's alg must equal it", async () => {
    const verifier = verifierFor([rsa.jwk, ml.jwk], { acceptedAlgorithms: ["RS256", "RS384", "ES256", "ML-DSA-65"] });
    const noKey = invalid("Invalid token: no matching signing key");
    expect(await failure(verifier, await sign(rsa, claims(), { alg: "RS384" }))).toEqual(noKey);
    expect(await failure(verifier, encodeJwt({ alg: "ES256", kid: "rsa-1" }, claims(), "c2ln"))).toEqual(noKey);
    expect(await failure(verifier, await sign(rsa, claims(), { kid: "ml-1" }))).toEqual(noKey);
    expect(await failure(verifier, await sign(ml, claims(), { kid: "rsa-1" }))).toEqual(noKey);
    // Without its own alg, an RSA JWK fits any accepted RSA algorithm.
    const { alg: _alg, ...bare } = rsa.jwk;
    expect((await verifierFor([bare], { acceptedAlgorithms: ["RS384"] }).verify(await sign(rsa, claims(), { alg: "RS384" }))).sub).toBe("user-123");
  });

  it("refuses keys too weak or of another kind than the alg needs: RSA under 2048 bits, an EC key on another curve", async () => {
    const bad = invalid("Invalid token: signature verification failed");
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const weakJwk = { ...weak.publicKey.export({ format: "jwk" }), kid: "weak", alg: "RS256" };
    expect(await failure(verifierFor([weakJwk]), nodeSigned("sha256", weak.privateKey, { alg: "RS256", kid: "weak" }, claims()))).toEqual(bad);
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const p384Jwk = { ...p384.publicKey.export({ format: "jwk" }), kid: "p384", alg: "ES256" };
    expect(await failure(verifierFor([p384Jwk]), nodeSigned("sha256", { key: p384.privateKey, dsaEncoding: "ieee-p1363" }, { alg: "ES256", kid: "p384" }, claims()))).toEqual(bad);
    // PS256 and ES256 verify through node:crypto's own paddings and encodings.
    const pss = await sign(rsa, claims(), { alg: "PS256" });
    expect((await verifierFor([{ ...rsa.jwk, alg: "PS256" }], { acceptedAlgorithms: ["PS256"] }).verify(pss)).sub).toBe("user-123");
  });

  it("refuses critical extensions and unencoded payloads it does not understand", async () => {
    const verifier = verifierFor([rsa.jwk]);
    const header = { alg: "RS256", kid: rsa.jwk.kid };
    expect(await failure(verifier, nodeSigned("sha256", rsa.privateKey, { ...header, crit: ["exp"], exp: 1 }, claims()))).toEqual(invalid('Invalid token: unsupported header parameter "crit"'));
    expect(await failure(verifier, nodeSigned("sha256", rsa.privateKey, { ...header, b64: false }, claims()))).toEqual(invalid('Invalid token: unsupported header parameter "b64"'));
  });

  it("a bad signature is a 401, for jose and ML-DSA alike, never another kind of error", async () => {
    const verifier = verifierFor([rsa.jwk, ml.jwk]);
    const bad = invalid("Invalid token: signature verification failed");
    expect(await failure(verifier, await sign(impostor, claims()))).toEqual(bad);
    const [header, , signature] = (await sign(ml, claims())).split(".") as [string, string, string];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims({ role: "root" }))).toString("base64url")}.${signature}`;
    expect(await failure(verifier, tampered)).toEqual(bad);
    const valid = await sign(ml, claims());
    expect(await failure(verifier, valid.slice(0, -8))).toEqual(bad);
    expect(await failure(verifier, `${valid.slice(0, valid.lastIndexOf("."))}.`)).toEqual(bad);
    const shortPub = verifierFor([{ ...ml.jwk, pub: "AAAA" }]);
    expect(await failure(shortPub, valid)).toEqual(bad);
  });

  it("unknown kid: exactly one refresh; a rotated-in key is then found", async () => {
    const source = staticKeySource([rsa.jwk]);
    const token = await sign({ ...ec, jwk: { ...ec.jwk, kid: "new" } }, claims());
    expect(await failure(verifierFor(source), token)).toEqual(invalid("Invalid token: no matching signing key"));
    expect(source.calls).toEqual([undefined, { refresh: true }]);
    const rotating: KeySource = {
      getKeySet: async (o) => (o?.refresh ? { keys: [rsa.jwk, { ...ec.jwk, kid: "new" }], version: 2 } : { keys: [rsa.jwk], version: 1 }),
    };
    expect((await verifierFor(rotating).verify(token)).jti).toBe("jti-1");
  });

  it("no kid: the one fitting key is used without a refresh; several fitting keys are an error", async () => {
    const source = staticKeySource([rsa.jwk, ec.jwk]);
    expect((await verifierFor(source).verify(await sign(rsa, claims(), { kid: undefined }))).sub).toBe("user-123");
    expect(source.calls).toEqual([undefined]);
    const two = verifierFor([rsa.jwk, { ...impostor.jwk, kid: "rsa-2" }]);
    expect(await failure(two, await sign(rsa, claims(), { kid: undefined }))).toEqual(invalid('Invalid token: several keys match; the token needs a "kid"'));
  });
});

describe("TokenVerifier: token format", () => {
  it("malformed compact serializations are 401s", async () => {
    const verifier = verifierFor([rsa.jwk]);
    const payload = Buffer.from(JSON.stringify(claims())).toString("base64url");
    const cases: [string, string][] = [
      ["a.b", "Invalid token: malformed"],
      [`${await sign(rsa, claims())}.x`, "Invalid token: malformed"],
      ["ey$J.ey.c2ln", "Invalid token: malformed"],
      ["eyJ hbGci.e30.c2ln", "Invalid token: malformed"],
      [`${Buffer.from("not json").toString("base64url")}.${payload}.c2ln`, "Invalid token: malformed header"],
      [encodeJwt({ typ: "JWT" }, claims(), "c2ln"), "Invalid token: malformed header"],
      [encodeJwt({ alg: 256 }, claims(), "c2ln"), "Invalid token: malformed header"],
      [`${Buffer.from("[]").toString("base64url")}.${payload}.c2ln`, "Invalid token: malformed header"],
      [await sign(rsa, claims(), { kid: 7 }), "Invalid token: malformed header"],
      [await sign(rsa, claims(), { typ: "refresh+jwt" }), "Invalid token: unexpected token type"],
      [await new CompactSign(new TextEncoder().encode("not json")).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).sign(rsa.privateKey), "Invalid token: malformed payload"],
      [await new CompactSign(new TextEncoder().encode("[1]")).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).sign(rsa.privateKey), "Invalid token: malformed payload"],
    ];
    for (const [token, message] of cases) expect(await failure(verifier, token), token).toEqual(invalid(message));
    for (const typ of ["JWT", "at+jwt", "application/at+JWT", "application/jwt"]) expect((await verifier.verify(await sign(rsa, claims(), { typ }))).sub).toBe("user-123");
  });
});

describe("TokenVerifier: claims", () => {
  it("exp with leeway: expired, within leeway, the exact boundary", async () => {
    const verifier = verifierFor([rsa.jwk], { leewaySeconds: 5 });
    const expired = await failure(verifier, await sign(rsa, claims({ exp: NOW - 10 })));
    expect(expired).toEqual(["TOKEN_EXPIRED", 401, "Token has expired"]);
    expect((await verifier.verify(await sign(rsa, claims({ exp: NOW - 4 })))).exp).toBe(NOW - 4);
    expect(await failure(verifier, await sign(rsa, claims({ exp: NOW - 5 })))).toEqual(expired);
    const strict = verifierFor([rsa.jwk], { leewaySeconds: 0 });
    expect(await failure(strict, await sign(rsa, claims({ exp: NOW })))).toEqual(expired);
    expect((await strict.verify(await sign(rsa, claims({ exp: NOW + 1 })))).exp).toBe(NOW + 1);
    const error = (await verifier.verify(await sign(rsa, claims({ exp: NOW - 10 }))).catch((e: unknown) => e)) as AuthClientError;
    expect(error.headers).toEqual({ "WWW-Authenticate": 'Bearer realm="api", error="invalid_token", error_description="Token has expired"' });
  });

  it("iat is required, a finite number, and not after now + leeway", async () => {
    const verifier = verifierFor([rsa.jwk, ml.jwk], { leewaySeconds: 5 });
    const missing = invalid('Invalid token: "iat" claim missing or not a number');
    for (const iat of [undefined, String(NOW), null, [NOW]]) {
      for (const key of [rsa, ml]) expect(await failure(verifier, await sign(key, claims({ iat }))), `${key.jwk.alg} ${String(iat)}`).toEqual(missing);
    }
    // JSON.parse reads 1e400 as Infinity: not a finite number either (jose would not sign it, node:crypto does).
    const header = { alg: "RS256", typ: "JWT", kid: "rsa-1" };
    const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims({ iat: 7 })).replace('"iat":7', '"iat":1e400')).toString("base64url")}`;
    expect(await failure(verifier, `${input}.${nodeSign("sha256", Buffer.from(input), rsa.privateKey).toString("base64url")}`)).toEqual(missing);
    const future = invalid('Invalid token: "iat" is in the future');
    expect(await failure(verifier, await sign(rsa, claims({ iat: NOW + 6 })))).toEqual(future);
    expect(await failure(verifier, await sign(ml, claims({ iat: NOW + 3000 })))).toEqual(future);
    expect((await verifier.verify(await sign(rsa, claims({ iat: NOW + 5 })))).iat).toBe(NOW + 5);
    expect((await verifier.verify(await sign(rsa, claims({ iat: 0 })))).iat).toBe(0);
  });

  it("exp is bounded: at most max_token_lifetime_seconds (default 86400) plus the leeway away, else 401 naming the setting", async () => {
    const verifier = verifierFor([rsa.jwk, ml.jwk], { leewaySeconds: 5 });
    const tooLong = invalid('Invalid token: "exp" is more than auth_client.max_token_lifetime_seconds (86400) away');
    for (const exp of [NOW + 86_406, NOW + 10 * 365 * 86_400, 1e300, Number.MAX_SAFE_INTEGER]) {
      for (const key of [rsa, ml]) expect(await failure(verifier, await sign(key, claims({ exp }))), `${key.jwk.alg} ${exp}`).toEqual(tooLong);
    }
    expect((await verifier.verify(await sign(rsa, claims({ exp: NOW + 86_405 })))).exp).toBe(NOW + 86_405);
    const short = verifierFor([rsa.jwk], { leewaySeconds: 0, maxTokenLifetimeSeconds: 900 });
    expect(await failure(short, await sign(rsa, claims({ exp: NOW + 901 })))).toEqual(invalid('Invalid token: "exp" is more than auth_client.max_token_lifetime_seconds (900) away'));
    expect((await short.verify(await sign(rsa, claims({ exp: NOW + 900 })))).exp).toBe(NOW + 900);
  });

  it("nbf with leeway", async () => {
    const verifier = verifierFor([rsa.jwk], { leewaySeconds: 5 });
    const early = invalid("Invalid token: token is not yet valid (nbf)");
    expect(await failure(verifier, await sign(rsa, claims({ nbf: NOW + 6 })))).toEqual(early);
    expect((await verifier.verify(await sign(rsa, claims({ nbf: NOW + 5 })))).nbf).toBe(NOW + 5);
    expect(await failure(verifier, await sign(rsa, claims({ nbf: "0" })))).toEqual(invalid('Invalid token: "nbf" claim must be a number'));
    expect(await failure(verifierFor([ml.jwk]), await sign(ml, claims({ nbf: NOW + 60 })))).toEqual(early);
  });

  it("required claims, iss, aud, token type and claim types have exact messages", async () => {
    const verifier = verifierFor([rsa.jwk, ml.jwk]);
    const cases: [Record<string, unknown>, string][] = [
      [{ exp: undefined }, 'Invalid token: "exp" claim missing or not a number'],
      [{ exp: String(NOW + 60) }, 'Invalid token: "exp" claim missing or not a number'],
      [{ iss: "https://auth.example.com/" }, "Invalid token: issuer mismatch"],
      [{ iss: undefined }, "Invalid token: issuer mismatch"],
      [{ aud: "other-api" }, "Invalid token: audience mismatch"],
      [{ aud: ["other-api", "my-api-2"] }, "Invalid token: audience mismatch"],
      [{ type: "refresh" }, "Invalid token: refresh tokens are not accepted here"],
      [{ type: { evil: "</x>" } }, "Invalid token: non-access tokens are not accepted here"],
      [{ sub: undefined }, 'Invalid token: "sub" claim missing'],
      [{ sub: "" }, 'Invalid token: "sub" claim missing'],
      [{ email: 5 }, 'Invalid token: "email" claim must be a string'],
      // The default role_claims, group_claims and scope_claims paths: a string or an array of strings.
      [{ role: 5 }, 'Invalid token: "role" claim must be a string or an array of strings'],
      [{ groups: { a: "b" } }, 'Invalid token: "groups" claim must be a string or an array of strings'],
      [{ roles: ["a", 1] }, 'Invalid token: "roles" claim must be a string or an array of strings'],
      [{ scope: null }, 'Invalid token: "scope" claim must be a string or an array of strings'],
      [{ scopes: 5 }, 'Invalid token: "scopes" claim must be a string or an array of strings'],
    ];
    for (const [overrides, message] of cases) {
      for (const key of [rsa, ml]) expect(await failure(verifier, await sign(key, claims(overrides))), `${key.jwk.alg} ${message}`).toEqual(invalid(message));
    }
    const ok = claims({ aud: ["other-api", "my-api"], type: "access", groups: "a b", role: ["x", "y"], roles: "z", scope: ["s"], scopes: "a b" });
    expect(await verifier.verify(await sign(rsa, ok))).toEqual(ok);
    // Claims at paths that are not configured are not type-checked any more.
    const elsewhere = verifierFor([rsa.jwk], { roleClaims: ["realm_access.roles"], groupClaims: [], scopeClaims: ["scp"] });
    const odd = claims({ role: 5, groups: { a: 1 }, scope: null, realm_access: { roles: ["admin"] }, scp: ["read"] });
    expect(await elsewhere.verify(await sign(rsa, odd))).toEqual(odd);
    expect(await failure(elsewhere, await sign(rsa, claims({ realm_access: { roles: 7 } })))).toEqual(invalid('Invalid token: "realm_access.roles" claim must be a string or an array of strings'));
  });
});

describe("TokenVerifier: verified-token cache", () => {
  it("serves a repeated token without a key lookup, until the key set version changes", async () => {
    const source = mutableSource([rsa.jwk]);
    const verifier = verifierFor(source);
    const [first, second] = [await sign(rsa, claims()), await sign(rsa, claims({ jti: "jti-2" }))];
    const claimsOf = await verifier.verify(first);
    source.set = { keys: [], version: 1 }; // same version, key gone: only the cache can still answer
    expect(await verifier.verify(first)).toBe(claimsOf);
    expect(await failure(verifier, second)).toEqual(invalid("Invalid token: no matching signing key"));
    source.set = { keys: [], version: 2 };
    expect(await failure(verifier, first)).toEqual(invalid("Invalid token: no matching signing key"));
  });

  it("does not serve an expired token, and clearCache drops everything", async () => {
    const source = mutableSource([rsa.jwk]);
    const verifier = verifierFor(source, { leewaySeconds: 5 });
    const token = await sign(rsa, claims({ exp: NOW + 10 }));
    await verifier.verify(token);
    verifier.now = () => NOW + 14;
    expect((await verifier.verify(token)).exp).toBe(NOW + 10);
    verifier.now = () => NOW + 15;
    expect(await failure(verifier, token)).toEqual(["TOKEN_EXPIRED", 401, "Token has expired"]);
    verifier.now = () => NOW;
    await verifier.verify(token);
    source.set = { keys: [], version: 1 };
    verifier.clearCache();
    expect(await failure(verifier, token)).toEqual(invalid("Invalid token: no matching signing key"));
  });

  it("is bounded by tokenCacheSize (0 turns it off)", async () => {
    for (const [size, served] of [[2, [false, true, true]], [0, [false, false, false]]] as const) {
      const source = mutableSource([rsa.jwk]);
      const verifier = verifierFor(source, { tokenCacheSize: size });
      const tokens = await Promise.all(["a", "b", "c"].map((jti) => sign(rsa, claims({ jti }))));
      for (const token of tokens) await verifier.verify(token);
      source.set = { keys: [], version: 1 };
      const results = await Promise.all(tokens.map((t) => verifier.verify(t).then(() => true, () => false)));
      expect(results, `size ${size}`).toEqual(served);
    }
  });

  it("TokenCache: LRU eviction, version and expiry checks", () => {
    const cache = new TokenCache(2);
    const entry = (exp: number) => ({ sub: "s", iss: "i", aud: "a", exp });
    cache.set("a", entry(100), 1);
    cache.set("b", entry(100), 1);
    expect(cache.get("a", () => 1, 50, 0)?.exp).toBe(100); // a is now the most recently used
    cache.set("c", entry(100), 1);
    expect([cache.size, cache.get("b", () => 1, 50, 0), cache.get("a", () => 1, 50, 0)?.exp, cache.get("c", () => 1, 50, 0)?.exp]).toEqual([2, undefined, 100, 100]);
    expect(cache.get("a", () => 2, 50, 0)).toBeUndefined(); // other key set: dropped for good
    expect([cache.size, cache.get("a", () => 1, 50, 0)]).toEqual([1, undefined]);
    cache.set("d", entry(100), 1);
    expect(cache.get("d", () => 1, 104, 5)?.exp).toBe(100);
    expect(cache.get("d", () => 1, 105, 5)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
    const off = new TokenCache(0);
    off.set("a", entry(100), 1);
    expect([off.size, off.get("a", () => 1, 0, 0)]).toEqual([0, undefined]);
    // A key set not at hand is a miss that keeps the entry.
    cache.set("e", entry(100), 1);
    expect([cache.get("e", () => undefined, 50, 0), cache.get("e", () => 1, 50, 0)?.exp]).toEqual([undefined, 100]);
  });

  it("TokenCache: a token sharing another's last characters is not the other token", () => {
    const cache = new TokenCache(10);
    const tail = "x".repeat(40);
    const entry = { sub: "s", iss: "i", aud: "a", exp: 100 };
    cache.set(`victim.${tail}`, entry, 1);
    expect(cache.get(`forged.${tail}`, () => 1, 50, 0)).toBeUndefined();
    expect(cache.get(`victim.${tail}`, () => 1, 50, 0)).toBe(entry);
    // A second verified token with the same tail replaces the first (it can only cost a re-verification).
    const other = { ...entry, sub: "t" };
    cache.set(`other.${tail}`, other, 1);
    expect([cache.get(`other.${tail}`, () => 1, 50, 0), cache.get(`victim.${tail}`, () => 1, 50, 0), cache.size]).toEqual([other, undefined, 1]);
  });

  it("TokenCache: a token used at least once every max / 2 insertions is never evicted; unused ones are, oldest first", () => {
    const max = 100;
    const cache = new TokenCache(max);
    const entry = { sub: "s", iss: "i", aud: "a", exp: 100 };
    cache.set("hot", entry, 1);
    for (let i = 0; i < 10 * max; i++) {
      cache.set(`cold-${i}`, entry, 1);
      if (i % (max / 2) === 0) expect(cache.get("hot", () => 1, 50, 0), `after ${i} insertions`).toBe(entry);
    }
    expect(cache.size).toBe(max);
    expect(cache.get("hot", () => 1, 50, 0)).toBe(entry);
    // The most recent max - 1 cold tokens are still there; the one before them is gone.
    expect(cache.get(`cold-${10 * max - (max - 1)}`, () => 1, 50, 0)).toBe(entry);
    expect(cache.get(`cold-${10 * max - max}`, () => 1, 50, 0)).toBeUndefined();
  });
});

/**
 * Property-based fuzzing of what pico-client-auth reads from the outside (fast-check): the JWS
 * parser (readJws), TokenVerifier.verify, and the bearer Authorization header on a protected route,
 * in-process and over a real socket. The property: anything that is not a valid token is refused
 * with a 401 AuthClientError (over HTTP: a 401 with a JSON `detail` and a WWW-Authenticate), never
 * another error, a 5xx or a hang; a valid token is accepted.
 *
 * The seed is fixed (FUZZ_SEED overrides it) and printed with each property's run count.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { controller, get } from "pico-hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClientError, SecurityContext } from "../src/index.js";
import { NO_REVOCATION_CHECK } from "../src/revocation/default-revocation-check.js";
import { readJws } from "../src/token/jws.js";
import { TokenVerifier } from "../src/token/token-verifier.js";
import { authApp } from "./app.js";
import { defaultClaims, edKey, rsaKey, settings, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const TIMEOUT_MS = 5_000;
const RUNS = { readJws: 500, verifyStrings: 400, verifyForged: 400, verifySigned: 300, headerInProcess: 400, headerSocket: 200 } as const;
const runs = (n: number) => ({ seed: SEED, numRuns: n });
const logRuns = (name: string, n: number) => console.log(`fuzz pico-client-auth ${name}: ${n} runs, seed ${SEED}`);

@controller({ prefix: "/api" })
class Protected {
  @get("/profile")
  profile() {
    const { claims, roles, scopes } = SecurityContext.current();
    return { subject: claims.sub, roles, scopes };
  }
}

let ed: ClassicalKey;
let rsa: ClassicalKey;
let verifier: TokenVerifier;
let app: ReturnType<typeof authApp>;
let url = "";
beforeAll(async () => {
  [ed, rsa] = await Promise.all([edKey("ed-1"), rsaKey("rsa-1")]);
  verifier = new TokenVerifier(settings(), staticKeySource([ed.jwk, rsa.jwk]), NO_REVOCATION_CHECK);
  app = authApp([Protected], staticKeySource([ed.jwk, rsa.jwk]));
  url = (await app.start({ port: 0 })).url;
});
afterAll(() => app?.stop());

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** verify() settles within the timeout, and a refusal is always a 401 AuthClientError. */
async function outcome(token: string): Promise<"accepted" | "refused"> {
  try {
    await withTimeout(verifier.verify(token), "verify");
    return "accepted";
  } catch (error) {
    if (!(error instanceof AuthClientError)) throw new Error(`verify threw a non-AuthClientError for ${JSON.stringify(token.slice(0, 200))}`, { cause: error });
    expect([error.status, typeof error.message]).toEqual([401, "string"]);
    return "refused";
  }
}

// ---- arbitraries ----
const b64 = (text: string) => Buffer.from(text).toString("base64url");
const pollutionKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty");
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("RS256", "EdDSA", "Ed25519", "ES256", "HS256", "hs256", "none", "ML-DSA-65", "JWT", "at+jwt", "JOSE", "ed-1", "rsa-1", "access", "refresh", "", 0, -1, 1e308, null, true, [], {}, ["my-api"], "my-api", "https://auth.example.com"),
  fc.integer().map((n) => Math.floor(Date.now() / 1000) + n),
);
/** A JSON object text; "__proto__" may be a real key of it. */
const objectText = (keys: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(fc.oneof(keys, pollutionKey, fc.string({ maxLength: 8 })), weird), { maxLength: 8 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`);
const headerKeys = fc.constantFrom("alg", "kid", "typ", "crit", "b64", "jwk", "x5u", "cty");
const claimKeys = fc.constantFrom("iss", "aud", "sub", "exp", "nbf", "iat", "jti", "type", "role", "roles", "groups", "scope", "scopes", "email");
const anyJsonText = fc.oneof(fc.json({ maxDepth: 3 }), objectText(headerKeys), fc.string({ maxLength: 30 }), fc.constantFrom("", "{", "[]", "null", "\ufeff{}", "{\"alg\":\"RS256\"", "[".repeat(3_000)));
const segment = fc.oneof(anyJsonText.map(b64), fc.base64String({ maxLength: 100 }).map((s) => s.replace(/=+$/, "")), fc.string({ unit: "grapheme-ascii", maxLength: 30 }), fc.constant(""));
/** Strings shaped like compact JWS, more or less. */
const tokenish = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(".")),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.tuple(fc.constantFrom("A", ".", "e", "é", "\u0000"), fc.integer({ min: 16_000, max: 40_000 })).map(([c, n]) => c.repeat(n)),
);

describe("fuzz: pico-client-auth token parsing and the bearer header", () => {
  it(`readJws: returns header parts or throws a 401 AuthClientError (${RUNS.readJws} runs)`, () => {
    logRuns("readJws", RUNS.readJws);
    fc.assert(
      fc.property(tokenish, (token) => {
        try {
          const jws = readJws(token);
          expect(typeof jws.alg).toBe("string");
          expect(jws.header).toBeTypeOf("object");
        } catch (error) {
          if (!(error instanceof AuthClientError)) throw error;
          expect(error.status).toBe(401);
        }
      }),
      runs(RUNS.readJws),
    );
  });

  it(`TokenVerifier.verify: arbitrary strings are refused with a 401 (${RUNS.verifyStrings} runs)`, async () => {
    logRuns("verify strings", RUNS.verifyStrings);
    await fc.assert(
      fc.asyncProperty(tokenish, async (token) => {
        expect(await outcome(token)).toBe("refused");
      }),
      runs(RUNS.verifyStrings),
    );
  });

  it(`TokenVerifier.verify: forged headers and payloads with garbage signatures are refused (${RUNS.verifyForged} runs)`, async () => {
    logRuns("verify forged", RUNS.verifyForged);
    await fc.assert(
      fc.asyncProperty(objectText(headerKeys), objectText(claimKeys), fc.oneof(fc.base64String({ maxLength: 400 }).map((s) => s.replace(/=+$/, "")), fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString("base64url")), fc.uint8Array({ minLength: 256, maxLength: 256 }).map((b) => Buffer.from(b).toString("base64url"))), async (header, payload, signature) => {
        expect(await outcome(`${b64(header)}.${b64(payload)}.${signature}`)).toBe("refused");
      }),
      runs(RUNS.verifyForged),
    );
  });

  it(`TokenVerifier.verify: correctly signed tokens with fuzzed headers and claims: accepted exactly when valid (${RUNS.verifySigned} runs)`, async () => {
    logRuns("verify signed", RUNS.verifySigned);
    const now = Math.floor(Date.now() / 1000);
    const overrides = fc.dictionary(fc.oneof(claimKeys, pollutionKey, fc.string({ maxLength: 6 })), weird, { maxKeys: 4 });
    const headerOverrides = fc.dictionary(fc.oneof(fc.constantFrom("typ", "kid", "crit", "b64", "cty"), pollutionKey), weird, { maxKeys: 2 });
    await fc.assert(
      fc.asyncProperty(overrides, headerOverrides, fc.boolean(), async (claimsOverride, headerOverride, useRsa) => {
        const claims = { ...defaultClaims({ jti: randomUUID() }), ...claimsOverride };
        const header = { ...headerOverride };
        delete header.alg;
        let token: string;
        try {
          token = await sign(useRsa ? rsa : ed, claims, header);
        } catch {
          return; // jose refuses to sign some headers (e.g. b64 without crit): nothing to check
        }
        const result = await outcome(token);
        if (result === "accepted") {
          // Only when every rule holds.
          const c = claims as Record<string, unknown>;
          const h = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as Record<string, unknown>;
          expect(typeof c.exp === "number" && now < c.exp + 5).toBe(true);
          expect(c.iss).toBe("https://auth.example.com");
          expect(c.aud === "my-api" || (Array.isArray(c.aud) && c.aud.includes("my-api"))).toBe(true);
          expect(typeof c.sub === "string" && c.sub !== "").toBe(true);
          expect(c.type === undefined || c.type === "access").toBe(true);
          expect("crit" in h || "b64" in h).toBe(false);
          expect(h.kid === undefined || h.kid === (useRsa ? "rsa-1" : "ed-1")).toBe(true);
        }
        if (Object.keys(claimsOverride).length === 0 && Object.keys(headerOverride).length === 0) expect(result).toBe("accepted");
      }),
      runs(RUNS.verifySigned),
    );
  });

  const headerValue = (valid: string) =>
    fc.oneof(
      tokenish.map((t) => `Bearer ${t}`),
      fc.string({ unit: "grapheme-ascii", maxLength: 80 }),
      fc.string({ unit: "binary-ascii", maxLength: 80 }),
      fc.tuple(fc.constantFrom("Bearer", "bearer", "BEARER", "Basic", "Token", "Bearer:", ""), fc.constantFrom(" ", "  ", "\t", "", " \t "), fc.constantFrom(valid, `${valid} `, ` ${valid}`, `${valid}x`, `${valid}.`, valid.slice(0, -1), `${valid} ${valid}`, valid.toUpperCase(), `"${valid}"`, "", "a".repeat(17_000))).map(([scheme, gap, token]) => `${scheme}${gap}${token}`),
      fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => `Bearer ${s}`),
    );

  /** What the guard must answer: 200 for exactly `Bearer <valid>` (any case, blanks around), else 401 with a JSON detail. */
  function expectGuarded(status: number, contentType: string | null, body: unknown, wwwAuthenticate: string | null, header: string | undefined, valid: string): void {
    const context = `${status} ${JSON.stringify(body)} for ${JSON.stringify(header?.slice(0, 200))}`;
    // The documented form (scheme in any case, blanks around): must be accepted.
    const documented = header !== undefined && /^[ \t]*bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] === valid;
    if (documented) expect(status, context).toBe(200);
    if (status === 200) {
      // Other whitespace (e.g. U+00A0) may stand in for blanks; the token itself must be exactly the valid one.
      expect(/^bearer +(\S+)$/i.exec((header ?? "").replace(/\s/g, " ").trim())?.[1], context).toBe(valid);
      return;
    }
    expect(status, context).toBe(401);
    expect(contentType, context).toContain("application/json");
    expect(body, context).toMatchObject({ detail: expect.any(String) });
    expect(wwwAuthenticate, context).toMatch(/^Bearer realm="api"/);
  }

  /** The request headers, or undefined for a value that is not a legal header value (no client can send it). */
  function legalHeaders(header: string | undefined): Headers | undefined {
    try {
      return new Headers(header === undefined ? {} : { authorization: header });
    } catch {
      return undefined;
    }
  }

  it(`GET /api/profile in-process: any Authorization header is a 200 for a valid token, else a 401 with a JSON detail (${RUNS.headerInProcess} runs)`, async () => {
    logRuns("bearer header in-process", RUNS.headerInProcess);
    const valid = await sign(ed, defaultClaims());
    await fc.assert(
      fc.asyncProperty(fc.option(headerValue(valid), { nil: undefined }), async (header) => {
        const headers = legalHeaders(header);
        if (!headers) return;
        const res = await withTimeout(app.request("/api/profile", { headers }), "GET /api/profile");
        const text = await res.text();
        const body: unknown = (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text;
        expectGuarded(res.status, res.headers.get("content-type"), body, res.headers.get("www-authenticate"), headers.get("authorization") ?? undefined, valid);
      }),
      runs(RUNS.headerInProcess),
    );
  });

  it(`GET /api/profile over a socket: the same, through @hono/node-server's headers (${RUNS.headerSocket} runs)`, async () => {
    logRuns("bearer header over a socket", RUNS.headerSocket);
    const valid = await sign(ed, defaultClaims());
    await fc.assert(
      fc.asyncProperty(fc.option(headerValue(valid), { nil: undefined }), async (header) => {
        const headers = legalHeaders(header);
        if (!headers) return;
        let res: Response;
        try {
          res = await fetch(`${url}/api/profile`, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        } catch (error) {
          // undici refuses to send control characters in a header: not a request a client can make.
          if ((error as { cause?: { code?: string } }).cause?.code === "UND_ERR_INVALID_ARG") return;
          throw error;
        }
        const text = await res.text();
        // Node's HTTP parser refuses a header block over --max-http-header-size (16 KiB) before any
        // application code runs; pico-boot answers it with a JSON detail. The guard's own limit is
        // auth_client.max_token_length.
        if (res.status === 431) {
          expect((header ?? "").length).toBeGreaterThan(16_000);
          expect(JSON.parse(text)).toEqual({ detail: "Request header fields are larger than the server accepts" });
          return;
        }
        const body: unknown = (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text;
        expectGuarded(res.status, res.headers.get("content-type"), body, res.headers.get("www-authenticate"), headers.get("authorization") ?? undefined, valid);
      }),
      runs(RUNS.headerSocket),
    );
  });

  it("a token that is valid but for the header tricks still works: Bearer in any case, blanks around", async () => {
    const valid = await sign(ed, defaultClaims());
    for (const header of [`Bearer ${valid}`, `bearer ${valid}`, `BEARER\t${valid}`, ` Bearer  ${valid} `]) {
      expect((await app.request("/api/profile", { headers: { authorization: header } })).status, header).toBe(200);
    }
  });
});

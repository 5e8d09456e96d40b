/**
 * Property-based fuzzing of every pico-server-auth endpoint body (fast-check). The property, for
 * every generated input: the answer is a 4xx with a JSON `{"detail": ...}` (a 2xx only for input that
 * is genuinely valid), never a 5xx, never a hang (each request races a timeout).
 *
 * The seed is fixed (FUZZ_SEED overrides it) and printed with each property's run count, so any
 * failure replays: FUZZ_SEED=<seed> npx vitest run packages/pico-server-auth/test/fuzz.test.ts
 */
import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WALLET_ALGORITHMS } from "../src/index.js";
import { ADMIN, claimsOf, ed25519Wallet, mlDsaWallet, postJson, secp256k1Wallet, serverApp } from "./support.js";
import type { Wallet } from "./support.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const REQUEST_TIMEOUT_MS = 5_000;
const FEED_BEARER = "fuzz-feed-secret-of-32-characters";
const ADDRESS = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** numRuns per property; they are in the test names too. */
const RUNS = {
  challenge: 400,
  signIn: 400,
  signInChallenge: 300,
  signInMutated: 120,
  move: 200,
  moveMutated: 80,
  login: 300,
  refresh: 400,
  refreshMutated: 200,
  logout: 400,
  rawBodies: 400,
  revocations: 200,
  socket: 250,
  adminRevoke: 300,
  adminBearer: 200,
  adminUnbind: 200,
} as const;

const app = serverApp({
  embedded: true,
  server: {
    // Cheap argon2 and no rate limits in the way: the fuzzer must reach the code behind them.
    argon2_memory_kib: 1024,
    argon2_time_cost: 1,
    allow_weak_settings: true,
    login_max_failures: 1_000_000,
    challenges_per_client: 1_000_000,
    refreshes_per_client: 1_000_000,
    revocation_feed_bearer: FEED_BEARER,
  },
});
let wallets: Wallet[] = [];
beforeAll(async () => {
  await app.init();
  wallets = [ed25519Wallet(), secp256k1Wallet(), mlDsaWallet()];
});
afterAll(() => app.stop());

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One request, raced against a timeout: a hang fails the property like a 5xx. */
async function send(path: string, init: RequestInit): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${path} within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
  });
  try {
    const res = await Promise.race([app.request(path, init), timeout]);
    const text = await Promise.race([res.text(), timeout]);
    let body: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("application/json")) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body };
  } finally {
    clearTimeout(timer);
  }
}

/** The property every answer must have: no 5xx; a 4xx is JSON with a `detail`; a 2xx only when `valid`. */
function expectSound(answer: Answer, valid: boolean | ((answer: Answer) => boolean), input: unknown): void {
  const context = `${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)} for ${JSON.stringify(input)?.slice(0, 300)}`;
  expect(answer.status, context).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(answer.status, context).toBeGreaterThanOrEqual(400);
    expect(answer.headers.get("content-type"), context).toContain("application/json");
    expect(answer.body, context).toMatchObject({ detail: expect.anything() });
  } else {
    expect([200, 204], context).toContain(answer.status);
    const ok = typeof valid === "function" ? valid(answer) : valid;
    expect(ok, `2xx for input that is not valid: ${context}`).toBe(true);
  }
}

function raw(body: string | Uint8Array, contentType: string | undefined = "application/json", headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", body, headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...headers } };
}

/** One request over a real socket (node:http: chunked or with a Content-Length), with a timeout. */
function overSocket(url: string, path: string, body: Uint8Array, headers: Record<string, string>, chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { ...headers, ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(body.length) }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
        let parsedBody: unknown = text;
        try {
          if ((res.headers["content-type"] ?? "").includes("application/json")) parsedBody = JSON.parse(text);
        } catch {
          // left as text: the assertion shows it
        }
        resolve({ status: res.statusCode ?? 0, headers, body: parsedBody });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer from ${path} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    if (chunked) {
      // A few chunks of arbitrary sizes.
      for (let i = 0; i < body.length; i += 997) req.write(body.subarray(i, i + 997));
      req.end();
    } else req.end(body);
  });
}

// ---- arbitraries ----

/** Keys that poison naive object handling. */
const pollutionKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__");
const hexOf = (bytes: fc.Arbitrary<Uint8Array>) =>
  fc.tuple(bytes, fc.constantFrom("", "0x", "0X"), fc.boolean()).map(([b, prefix, upper]) => {
    const hex = Buffer.from(b).toString("hex");
    return prefix + (upper ? hex.toUpperCase() : hex);
  });
const longString = fc.tuple(fc.constantFrom("a", "0", "é", "😀", "\u0000", "%", "\\", "0x"), fc.integer({ min: 1_000, max: 40_000 })).map(([c, n]) => c.repeat(n));
const unicodeString = fc.string({ unit: "grapheme", maxLength: 200 });
const binaryString = fc.string({ unit: "binary", maxLength: 200 }); // lone surrogates included
const nastyString = fc.constantFrom("", " ", "null", "undefined", "NaN", "-0", "0x", "0X", "ML-DSA-65 ", "ed25519", "SECP256K1", "RSA", "none", "__proto__", "constructor", "toString", "a".repeat(128), "a".repeat(129), "0xé", "é", "\u202e", "\ud800", "a\u0000b", "0x" + "z".repeat(64));
const walletAlgorithm = fc.constantFrom("ML-DSA-65", "Ed25519", "secp256k1");
const jwtLike = fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.base64String({ maxLength: 64 })).map(
  ([h, p, s]) => `${Buffer.from(JSON.stringify(h) ?? "").toString("base64url")}.${Buffer.from(JSON.stringify(p) ?? "").toString("base64url")}.${s.replace(/=+$/, "")}`,
);

/** A value of any JSON type for a field, biased towards the shapes the endpoint looks for. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: unicodeString },
  { weight: 1, arbitrary: binaryString },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: longString },
  { weight: 2, arbitrary: hexOf(fc.uint8Array({ maxLength: 80 })) },
  { weight: 1, arbitrary: walletAlgorithm },
  { weight: 1, arbitrary: jwtLike },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1, 1e308, -1e308, 2 ** 53, 0.5, true, false, null, [], {}, [null], { "": "" }) },
);

/**
 * A JSON object text with the endpoint's fields (each any type, or absent), pollution keys and
 * random extra keys; "__proto__" ends up a real key of the text, as an attacker would send it.
 */
function bodyWith(fields: readonly string[]): fc.Arbitrary<string> {
  const entry = fc.tuple(fc.oneof(fc.constantFrom(...fields), pollutionKey, fc.string({ maxLength: 12 })), fieldValue);
  return fc.array(entry, { maxLength: fields.length + 4 }).map((entries) => {
    const members = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`);
    return `{${members.join(",")}}`;
  });
}

/** Any body text: an object with the fields, any JSON at all, or text that is not JSON. */
function anyBody(fields: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: bodyWith(fields) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: unicodeString },
    { weight: 1, arbitrary: fc.constantFrom("", "{", "}", "[", "{\"a\":}", "{'a':1}", "nul", "\ufeff{}", "{\"__proto__\":{\"polluted\":1}}", "{\"constructor\":{\"prototype\":{\"polluted\":1}}}", "[]".repeat(1), "[".repeat(5_000) + "]".repeat(5_000), "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000)) },
  );
}

const runs = (n: number) => ({ seed: SEED, numRuns: n });

function logRuns(name: string, n: number): void {
  console.log(`fuzz pico-server-auth ${name}: ${n} runs, seed ${SEED}`);
}

/** Whether /challenge must answer 200 for these fields: a well-formed address, a supported algorithm or none, no move_to (a random one is never a valid key). */
function challengeAccepts(fields: Record<string, unknown> | undefined): boolean {
  const address = fields?.address;
  const algorithm = fields?.algorithm;
  return typeof address === "string" && ADDRESS.test(address) && (algorithm === undefined || WALLET_ALGORITHMS.includes(algorithm as never)) && fields?.move_to === undefined;
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A sign-in body of `wallet` for its own address, signing the issued message. */
async function signedBody(wallet: Wallet): Promise<Record<string, string>> {
  const { challenge, message } = (await send("/api/v1/auth/challenge", postJson({ address: wallet.address, algorithm: wallet.algorithm }))).body as { challenge: string; message: string };
  return { address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm };
}

async function adminTokens(): Promise<{ access_token: string; refresh_token: string }> {
  const res = await app.request("/api/v1/auth/login", postJson(ADMIN));
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string };
}

describe("fuzz: pico-server-auth endpoint bodies never 5xx, never hang; 4xx carry a JSON detail", () => {
  it(`POST /challenge, arbitrary bodies (${RUNS.challenge} runs)`, async () => {
    logRuns("challenge", RUNS.challenge);
    await fc.assert(
      fc.asyncProperty(anyBody(["address", "algorithm", "move_to"]), async (body) => {
        const answer = await send("/api/v1/auth/challenge", raw(body));
        // 200 exactly when the body is an object whose own `address` is a well-formed address (and algorithm, if any, supported).
        expectSound(answer, () => challengeAccepts(parsed(body)), body);
        if (answer.status === 200) expect(answer.body).toMatchObject({ challenge: expect.stringMatching(/^[0-9a-f]{64}$/), message: expect.stringContaining("wants you to sign in") });
      }),
      runs(RUNS.challenge),
    );
  });

  it(`POST /sign-in, arbitrary bodies (${RUNS.signIn} runs)`, async () => {
    logRuns("sign-in", RUNS.signIn);
    await fc.assert(
      fc.asyncProperty(anyBody(["address", "public_key", "signature", "challenge", "algorithm", "message"]), async (body) => {
        expectSound(await send("/api/v1/auth/sign-in", raw(body)), false, body);
      }),
      runs(RUNS.signIn),
    );
  });

  it(`POST /move, arbitrary bodies (${RUNS.move} runs)`, async () => {
    logRuns("move", RUNS.move);
    await fc.assert(
      fc.asyncProperty(anyBody(["address", "public_key", "signature", "challenge", "algorithm", "message", "new_algorithm", "new_public_key", "new_signature"]), async (body) => {
        expectSound(await send("/api/v1/auth/move", raw(body)), false, body);
      }),
      runs(RUNS.move),
    );
  });

  it(`POST /sign-in with a live challenge and garbage keys and signatures of the right sizes (${RUNS.signInChallenge} runs)`, async () => {
    logRuns("sign-in with live challenge", RUNS.signInChallenge);
    const keyBytes = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 33, maxLength: 33 }).map((b) => ((b[0] = 2 + (b[0]! & 1)), b)),
      fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => ((b[0] = 4), b)),
      fc.uint8Array({ minLength: 1952, maxLength: 1952 }),
      fc.uint8Array({ maxLength: 100 }),
    );
    const sigBytes = fc.oneof(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => ((b[64] = 27 + (b[64]! & 1)), b)), // r‖s‖v: recovers some key, or none
      fc.uint8Array({ minLength: 8, maxLength: 72 }).map((b) => ((b[0] = 0x30), b)),
      fc.uint8Array({ minLength: 3309, maxLength: 3309 }),
    );
    await fc.assert(
      fc.asyncProperty(walletAlgorithm, fc.option(hexOf(keyBytes), { nil: undefined }), hexOf(sigBytes), fc.constantFrom("0xfuzz", "fuzz-2", "a", `0x${"ab".repeat(20)}`), fc.boolean(), async (algorithm, public_key, signature, address, move) => {
        const issued = await send("/api/v1/auth/challenge", postJson({ address, algorithm }));
        expect(issued.status).toBe(200);
        const { challenge } = issued.body as { challenge: string };
        const input = { address, public_key, signature, challenge, algorithm, ...(move ? { new_signature: signature } : {}) };
        const answer = await send(move ? "/api/v1/auth/move" : "/api/v1/auth/sign-in", postJson(input));
        expectSound(answer, false, input);
      }),
      runs(RUNS.signInChallenge),
    );
  });

  it(`POST /sign-in with a real wallet's request, one field mutated (${RUNS.signInMutated} runs)`, async () => {
    logRuns("sign-in mutated", RUNS.signInMutated);
    type Mutation = "none" | "upper-hex" | "0x-prefix" | "with-message" | "flip-signature" | "flip-key" | "other-address" | "challenge-case" | "wrong-algorithm" | "truncate-signature" | "flip-message" | "drop-key";
    const mutations = fc.constantFrom<Mutation>("none", "upper-hex", "0x-prefix", "with-message", "flip-signature", "flip-key", "other-address", "challenge-case", "wrong-algorithm", "truncate-signature", "flip-message", "drop-key");
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), mutations, fc.nat(), async (which, mutation, at) => {
        const wallet = wallets[which] as Wallet;
        const { address } = wallet;
        const { challenge, message } = (await send("/api/v1/auth/challenge", postJson({ address, algorithm: wallet.algorithm }))).body as { challenge: string; message: string };
        const request: Record<string, string> = { address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm };
        const flip = (hex: string) => {
          const bytes = Buffer.from(hex, "hex");
          bytes[at % bytes.length]! ^= 1 << (at % 8);
          return bytes.toString("hex");
        };
        if (mutation === "upper-hex") request.signature = request.signature!.toUpperCase();
        if (mutation === "0x-prefix") request.public_key = `0x${request.public_key}`;
        if (mutation === "flip-signature") request.signature = flip(request.signature!);
        if (mutation === "flip-key") request.public_key = flip(request.public_key!);
        if (mutation === "other-address") request.address = `${address}x`;
        if (mutation === "challenge-case") request.challenge = challenge.toUpperCase();
        if (mutation === "wrong-algorithm") request.algorithm = wallets[(which + 1) % 3]!.algorithm;
        if (mutation === "truncate-signature") request.signature = request.signature!.slice(0, 2 * (at % (request.signature!.length / 2)));
        if (mutation === "with-message") request.message = message;
        if (mutation === "flip-message") request.message = message.slice(0, at % message.length) + String.fromCharCode(message.charCodeAt(at % message.length) ^ 1) + message.slice((at % message.length) + 1);
        if (mutation === "drop-key") delete request.public_key;
        const answer = await send("/api/v1/auth/sign-in", postJson(request));
        // Without public_key only secp256k1's r‖s‖v signature names its key.
        const valid = ["none", "upper-hex", "0x-prefix", "with-message"].includes(mutation) || (mutation === "drop-key" && wallet.algorithm === "secp256k1");
        expectSound(answer, valid, { mutation, request: { ...request, public_key: "…", signature: "…" } });
        if (valid) expect(answer.status, mutation).toBe(200);
        if (answer.status === 200) expect(claimsOf((answer.body as { access_token: string }).access_token)).toMatchObject({ sub: address, role: "wallet" });
        // A flipped secp256k1 DER byte can still be a different valid encoding only if it verifies; it never does: so 401.
        if (["flip-signature", "flip-key", "other-address", "challenge-case", "wrong-algorithm", "flip-message"].includes(mutation)) expect(answer.status).toBe(401);
      }),
      runs(RUNS.signInMutated),
    );
  });

  it(`POST /move with a real move, one field mutated (${RUNS.moveMutated} runs)`, async () => {
    logRuns("move mutated", RUNS.moveMutated);
    type Mutation = "none" | "flip-signature" | "flip-new-signature" | "other-new-key" | "new-algorithm" | "drop-new-signature" | "other-address" | "sign-in-challenge";
    const mutations = fc.constantFrom<Mutation>("none", "flip-signature", "flip-new-signature", "other-new-key", "new-algorithm", "drop-new-signature", "other-address", "sign-in-challenge");
    await fc.assert(
      fc.asyncProperty(fc.boolean(), mutations, fc.nat(), async (k1, mutation, at) => {
        // Fresh keys each run: a move that succeeds changes the binding for good.
        const [owner, next] = [k1 ? secp256k1Wallet() : ed25519Wallet(), ed25519Wallet()];
        expect((await send("/api/v1/auth/sign-in", postJson(await signedBody(owner)))).status).toBe(200);
        const ask = mutation === "sign-in-challenge" ? {} : { move_to: { algorithm: next.algorithm, public_key: next.publicKeyHex } };
        const { challenge, message } = (await send("/api/v1/auth/challenge", postJson({ address: owner.address, algorithm: owner.algorithm, ...ask }))).body as { challenge: string; message: string };
        const request: Record<string, unknown> = { address: owner.address, challenge, algorithm: owner.algorithm, public_key: owner.publicKeyHex, signature: owner.sign(message), new_algorithm: next.algorithm, new_public_key: next.publicKeyHex, new_signature: next.sign(message) };
        const flip = (hex: string) => {
          const bytes = Buffer.from(hex, "hex");
          bytes[at % bytes.length]! ^= 1 << (at % 8);
          return bytes.toString("hex");
        };
        if (mutation === "flip-signature") request.signature = flip(request.signature as string);
        if (mutation === "flip-new-signature") request.new_signature = flip(request.new_signature as string);
        if (mutation === "other-new-key") request.new_public_key = ed25519Wallet().publicKeyHex;
        if (mutation === "new-algorithm") request.new_algorithm = "ML-DSA-65";
        if (mutation === "drop-new-signature") delete request.new_signature;
        if (mutation === "other-address") request.address = next.address;
        const answer = await send("/api/v1/auth/move", postJson(request));
        expectSound(answer, mutation === "none", { mutation, request: { ...request, public_key: "…", signature: "…", new_signature: "…" } });
        if (mutation === "none") expect(answer.body).toEqual({ address: owner.address, algorithm: next.algorithm, revoked_sessions: 1 });
      }),
      runs(RUNS.moveMutated),
    );
  });

  it(`POST /login, arbitrary bodies (${RUNS.login} runs)`, async () => {
    logRuns("login", RUNS.login);
    const loginBody = fc.oneof(
      anyBody(["email", "password"]),
      // The right email in any case, with arbitrary passwords; and the right password.
      fc.tuple(fc.constantFrom(ADMIN.email, ADMIN.email.toUpperCase(), ` ${ADMIN.email}`), fc.oneof(fieldValue, fc.constant(ADMIN.password))).map(([email, password]) => JSON.stringify({ email, password })),
    );
    await fc.assert(
      fc.asyncProperty(loginBody, async (body) => {
        const answer = await send("/api/v1/auth/login", raw(body));
        expectSound(answer, () => {
          const fields = parsed(body);
          return typeof fields?.email === "string" && fields.email.toLowerCase() === ADMIN.email && fields.password === ADMIN.password;
        }, body);
        if (answer.status === 200) expect(answer.headers.get("cache-control")).toBe("no-store");
      }),
      runs(RUNS.login),
    );
  });

  it(`POST /refresh, arbitrary bodies (${RUNS.refresh} runs)`, async () => {
    logRuns("refresh", RUNS.refresh);
    await fc.assert(
      fc.asyncProperty(anyBody(["refresh_token"]), async (body) => {
        expectSound(await send("/api/v1/auth/refresh", raw(body)), false, body);
      }),
      runs(RUNS.refresh),
    );
  });

  it(`POST /refresh and /logout with a real token, mutated (${RUNS.refreshMutated} runs)`, async () => {
    logRuns("refresh/logout mutated token", RUNS.refreshMutated);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("char" as const), at: fc.nat(), char: fc.constantFrom(..."AZaz09-_.=+/ ~é") }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("header" as const), header: fc.dictionary(fc.oneof(fc.constantFrom("alg", "kid", "typ", "crit", "b64", "__proto__"), fc.string({ maxLength: 6 })), fieldValue, { maxKeys: 4 }) }),
      fc.record({ kind: fc.constant("payload" as const), payload: fc.dictionary(fc.oneof(fc.constantFrom("sid", "jti", "type", "exp", "iss", "aud", "sub", "__proto__"), fc.string({ maxLength: 6 })), fieldValue, { maxKeys: 5 }) }),
      fc.record({ kind: fc.constant("swap" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom("refresh", "logout", "logout-bearer"), async (m, route) => {
        const tokens = await adminTokens();
        const original = route === "logout-bearer" ? tokens.access_token : tokens.refresh_token;
        const opaque = !original.includes(".");
        const parts = original.split(".") as [string, string, string];
        let token = original;
        if (m.kind === "char" || (opaque && m.kind !== "truncate")) {
          // An opaque refresh token has no header or payload: every mutation is a character change there.
          const at = m.kind === "char" ? m.at : 0;
          const char = m.kind === "char" ? m.char : "~";
          const i = at % original.length;
          token = original.slice(0, i) + char + original.slice(i + 1);
        } else if (m.kind === "truncate") {
          token = original.slice(0, m.at % original.length);
        } else if (m.kind === "header") {
          const header = { ...(JSON.parse(Buffer.from(parts[0], "base64url").toString()) as object), ...m.header };
          token = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${parts[1]}.${parts[2]}`;
        } else if (m.kind === "payload") {
          token = `${parts[0]}.${Buffer.from(JSON.stringify({ ...claimsOf(original), ...m.payload })).toString("base64url")}.${parts[2]}`;
        } else {
          token = `${parts[1]}.${parts[0]}.${parts[2]}`;
        }
        // Still the same token, byte for byte, once decoded (a change in a last base64url char's
        // unused bits, or a header/payload override equal to what it replaced)? Then it is valid.
        const decoded = (t: string) => t.split(".").map((p) => (/^[A-Za-z0-9_-]*$/.test(p) ? Buffer.from(p, "base64url").toString("hex") : `!${p}`)).join(".");
        const same = opaque ? token === original : token.split(".").length === 3 && decoded(token) === decoded(original);
        const init = route === "logout-bearer" ? { method: "POST", headers: { authorization: `Bearer ${token}` } } : postJson({ refresh_token: token });
        const answer = await send(route === "refresh" ? "/api/v1/auth/refresh" : "/api/v1/auth/logout", init);
        expectSound(answer, same, { m, route, token });
        if (answer.status === 200) expect(answer.headers.get("cache-control")).toBe("no-store");
      }),
      runs(RUNS.refreshMutated),
    );
  });

  it(`POST /logout, arbitrary bodies, content types and bearer headers (${RUNS.logout} runs)`, async () => {
    logRuns("logout", RUNS.logout);
    const headerValue = fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 60 }), fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => s.replace(/[\0\r\n]/g, "")), jwtLike.map((t) => `Bearer ${t}`), fc.constantFrom("Bearer", "Bearer ", "bearer x", "Basic abc", "Bearer a b", `Bearer ${"a".repeat(20_000)}`));
    await fc.assert(
      fc.asyncProperty(fc.option(anyBody(["refresh_token"]), { nil: undefined }), fc.option(fc.constantFrom("application/json", "text/plain", "application/problem+json", "application/x-www-form-urlencoded"), { nil: undefined }), fc.option(headerValue, { nil: undefined }), async (body, contentType, authorization) => {
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers["content-type"] = contentType;
        if (authorization !== undefined) headers.authorization = authorization;
        const answer = await send("/api/v1/auth/logout", { method: "POST", ...(body === undefined ? {} : { body }), headers });
        expectSound(answer, false, { body, contentType, authorization });
      }),
      runs(RUNS.logout),
    );
  });

  it(`POST /admin/sessions/revoke with an admin token, arbitrary bodies (${RUNS.adminRevoke} runs)`, async () => {
    logRuns("admin revoke", RUNS.adminRevoke);
    const { access_token } = await adminTokens();
    await fc.assert(
      fc.asyncProperty(anyBody(["sub"]), async (body) => {
        const answer = await send("/api/v1/auth/admin/sessions/revoke", raw(body, "application/json", { authorization: `Bearer ${access_token}` }));
        const sub = parsed(body)?.sub;
        expectSound(answer, typeof sub === "string" && sub !== "" && sub.length <= 320, body);
      }),
      runs(RUNS.adminRevoke),
    );
  });

  it(`admin routes, arbitrary and mutated Authorization headers (${RUNS.adminBearer} runs)`, async () => {
    logRuns("admin bearer", RUNS.adminBearer);
    const { access_token, refresh_token } = await adminTokens();
    const [h, p, sig] = access_token.split(".") as [string, string, string];
    const encoded = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const decodedPart = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString()) as object;
    const headerValue = fc.oneof(
      fc.string({ unit: "grapheme-ascii", maxLength: 60 }),
      jwtLike.map((t) => `Bearer ${t}`),
      // The real admin token under another header or payload (the same one, if a change changed nothing), or with its signature cut.
      fc.dictionary(fc.constantFrom("alg", "typ", "kid", "crit", "b64"), fieldValue, { minKeys: 1, maxKeys: 3 }).map((change) => `Bearer ${encoded({ ...decodedPart(h), ...change })}.${p}.${sig}`),
      fc.dictionary(fc.constantFrom("role", "exp", "iss", "aud", "sid", "jti", "type", "sub"), fieldValue, { minKeys: 1, maxKeys: 3 }).map((change) => `Bearer ${h}.${encoded({ ...claimsOf(access_token), ...change })}.${sig}`),
      fc.nat({ max: sig.length - 1 }).map((n) => `Bearer ${h}.${p}.${sig.slice(0, n)}`),
      fc.constantFrom(`Bearer ${refresh_token}`, "Bearer", "Basic abc", `Bearer ${"a".repeat(20_000)}`),
    );
    await fc.assert(
      fc.asyncProperty(headerValue, fc.boolean(), async (authorization, unbind) => {
        const answer = unbind
          ? await send("/api/v1/auth/admin/bindings/0xfuzz", { method: "DELETE", headers: { authorization } })
          : await send("/api/v1/auth/admin/sessions/revoke", raw(JSON.stringify({ sub: "0xfuzz" }), "application/json", { authorization }));
        expectSound(answer, authorization === `Bearer ${access_token}` && !unbind, authorization);
      }),
      runs(RUNS.adminBearer),
    );
  });

  it(`DELETE /admin/bindings/{address} with an admin token, arbitrary addresses (${RUNS.adminUnbind} runs)`, async () => {
    logRuns("admin unbind", RUNS.adminUnbind);
    const { access_token } = await adminTokens();
    const segment = fc.oneof(fieldValue.map((v) => encodeURIComponent(String(v)).slice(0, 2_000)), fc.constantFrom("%", "%zz", "%00", "%2F", "..", "%2e%2e", "a%2Fb", "%ud800"));
    await fc.assert(
      fc.asyncProperty(segment, async (address) => {
        const answer = await send(`/api/v1/auth/admin/bindings/${address}`, { method: "DELETE", headers: { authorization: `Bearer ${access_token}` } });
        expectSound(answer, false, address);
      }),
      runs(RUNS.adminUnbind),
    );
  });

  it(`every POST route: raw bytes under any content type, oversize bodies (${RUNS.rawBodies} runs)`, async () => {
    logRuns("raw bodies", RUNS.rawBodies);
    const contentType = fc.oneof(
      fc.constantFrom("application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "APPLICATION/JSON", "application/ld+json", "application/+json", "text/json", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/octet-stream", ";", ""),
      fc.string({ unit: "grapheme-ascii", maxLength: 40 }),
      fc.constant(undefined),
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }),
      fc.string({ unit: "binary", maxLength: 500 }).map((s) => new TextEncoder().encode(s)),
      // Invalid UTF-8 around valid JSON, a byte-order mark, a huge body over web.body_limit.
      fc.constantFrom(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]), Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Uint8Array.from([0xc3, 0x28]), new Uint8Array(1_048_577).fill(0x20), Buffer.from(`{"address":"${"a".repeat(1_100_000)}"}`)),
    );
    const route = fc.constantFrom("/api/v1/auth/challenge", "/api/v1/auth/sign-in", "/api/v1/auth/move", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout");
    await fc.assert(
      fc.asyncProperty(route, contentType, bytes, async (path, type, body) => {
        const answer = await send(path, raw(body, type));
        // Only /challenge can accept such a body: a JSON object with a well-formed address.
        expectSound(answer, () => path === "/api/v1/auth/challenge" && challengeAccepts(parsed(new TextDecoder().decode(body))), { path, type, body: Buffer.from(body).subarray(0, 100).toString("hex") });
      }),
      runs(RUNS.rawBodies),
    );
  });

  it(`every POST route over a real socket: arbitrary bodies, content types, chunked or not (${RUNS.socket} runs)`, async () => {
    logRuns("over a socket", RUNS.socket);
    const socketApp = serverApp({ server: { challenges_per_client: 1_000_000, argon2_memory_kib: 1024, argon2_time_cost: 1, allow_weak_settings: true, login_max_failures: 1_000_000 } });
    const { url } = await socketApp.start({ port: 0 });
    try {
      const route = fc.constantFrom("/api/v1/auth/challenge", "/api/v1/auth/sign-in", "/api/v1/auth/move", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout");
      const type = fc.option(fc.oneof(fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "application/vnd.api+json"), fc.string({ unit: "grapheme-ascii", maxLength: 30 }).filter((t) => /^[\x20-\x7e]*$/.test(t))), { nil: undefined });
      const body = fc.oneof(
        anyBody(["address", "public_key", "signature", "challenge", "algorithm", "message", "new_signature", "email", "password", "refresh_token"]).map((t) => new TextEncoder().encode(t)),
        fc.uint8Array({ maxLength: 3_000 }),
        fc.constantFrom(new Uint8Array(0), new Uint8Array(1_048_577).fill(0x7b)),
      );
      await fc.assert(
        fc.asyncProperty(route, type, body, fc.boolean(), async (path, contentType, bytes, chunked) => {
          const answer = await overSocket(url, path, bytes, contentType === undefined ? {} : { "content-type": contentType }, chunked);
          expectSound(answer, () => path === "/api/v1/auth/challenge" && challengeAccepts(parsed(new TextDecoder().decode(bytes))), { path, contentType, chunked, body: Buffer.from(bytes).subarray(0, 100).toString("hex") });
        }),
        runs(RUNS.socket),
      );
    } finally {
      await socketApp.stop();
    }
  }, 60_000);

  it(`GET /revocations, arbitrary Authorization headers (${RUNS.revocations} runs)`, async () => {
    logRuns("revocations", RUNS.revocations);
    const headerValue = fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 80 }), fc.string({ maxLength: 40 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, "")}`), fc.constantFrom(`Bearer ${FEED_BEARER}`, `bearer   ${FEED_BEARER}  `, `Bearer ${FEED_BEARER}x`, `Bearer ${"a".repeat(50_000)}`));
    await fc.assert(
      fc.asyncProperty(fc.option(headerValue, { nil: undefined }), async (authorization) => {
        const answer = await send("/api/v1/auth/revocations", { headers: authorization === undefined ? {} : { authorization } });
        expectSound(answer, authorization !== undefined && new RegExp(`^Bearer +${FEED_BEARER}\\s*$`, "i").test(authorization), authorization);
      }),
      runs(RUNS.revocations),
    );
  });
});

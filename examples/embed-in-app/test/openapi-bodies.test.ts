import { describe, expect, it } from "vitest";
import { askChallenge, ed25519Wallet, postJson, walletSignIn } from "../../../packages/pico-server-auth/test/support.js";
import { ADMIN, openapiOf, seedApp } from "./openapi-support.js";
import type { JsonSchema, OpenApi } from "./openapi-support.js";

const FEED_BEARER = "a-service-credential-for-the-feed";

type Operation = OpenApi["paths"][string][string];

function operation(document: OpenApi, method: string, path: string): Operation {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`${method} ${path} is not documented`);
  return found;
}

const successSchema = (op: Operation, status = "200"): JsonSchema => op.responses[status]?.content?.["application/json"]?.schema ?? {};
const bodySchema = (op: Operation): JsonSchema => op.requestBody?.content["application/json"]?.schema ?? {};

/** A real answer has exactly the documented properties, every one of them required. */
function expectDocumented(answer: unknown, schema: JsonSchema, where: string): void {
  const keys = Object.keys(answer as object).sort();
  expect(keys, where).toEqual(Object.keys(schema.properties ?? {}).sort());
  expect([...(schema.required ?? [])].sort(), where).toEqual(keys);
}

/** A body the route takes has only documented properties, and every required one. */
function expectAcceptedShape(body: Record<string, unknown>, schema: JsonSchema, where: string): void {
  const documented = Object.keys(schema.properties ?? {});
  expect(Object.keys(body).filter((key) => !documented.includes(key)), where).toEqual([]);
  expect((schema.required ?? []).filter((key) => !(key in body)), where).toEqual([]);
}

describe("the auth routes in /openapi.json document what they really take and answer", () => {
  it("login, refresh, sign-in, challenge, move, jwks, revocations and revoke answer the documented bodies; logout and unbind 204", async () => {
    const app = seedApp({ revocation_feed_bearer: FEED_BEARER });
    const document = await openapiOf(app);
    const op = (method: string, path: string) => operation(document, method, path);

    expectAcceptedShape(ADMIN, bodySchema(op("post", "/api/v1/auth/login")), "login body");
    expect(bodySchema(op("post", "/api/v1/auth/login"))).toMatchObject({ required: ["email", "password"] });
    const login = await app.request("/api/v1/auth/login", postJson(ADMIN));
    const tokens = (await login.json()) as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
    expect([login.status, tokens.token_type, tokens.expires_in]).toEqual([200, "Bearer", 30 * 60]);
    expectDocumented(tokens, successSchema(op("post", "/api/v1/auth/login")), "login");
    expect(successSchema(op("post", "/api/v1/auth/login")).properties).toMatchObject({ token_type: { const: "Bearer" }, expires_in: { type: "integer" } });

    expect(bodySchema(op("post", "/api/v1/auth/refresh"))).toMatchObject({ required: ["refresh_token"] });
    const refreshed = await app.request("/api/v1/auth/refresh", postJson({ refresh_token: tokens.refresh_token }));
    expect(refreshed.status).toBe(200);
    expectDocumented(await refreshed.json(), successSchema(op("post", "/api/v1/auth/refresh")), "refresh");

    const wallet = ed25519Wallet();
    const challenge = await app.request("/api/v1/auth/challenge", postJson({ address: wallet.address, algorithm: wallet.algorithm }));
    expectDocumented(await challenge.json(), successSchema(op("post", "/api/v1/auth/challenge")), "challenge");
    const signedIn = await walletSignIn(app, wallet);
    expect(signedIn.status).toBe(200);
    expectDocumented(await signedIn.json(), successSchema(op("post", "/api/v1/auth/sign-in")), "sign-in");
    expect(bodySchema(op("post", "/api/v1/auth/sign-in")).required).toEqual(["address", "challenge", "signature"]);

    // A move of the wallet's address to a new key, signed by both (secure mode).
    const next = ed25519Wallet();
    const moveChallenge = await askChallenge(app, wallet, wallet.address, { move_to: { algorithm: next.algorithm, public_key: next.publicKeyHex } });
    const moveBody = { address: wallet.address, challenge: moveChallenge.challenge, algorithm: wallet.algorithm, public_key: wallet.publicKeyHex, signature: wallet.sign(moveChallenge.message), new_algorithm: next.algorithm, new_public_key: next.publicKeyHex, new_signature: next.sign(moveChallenge.message) };
    expectAcceptedShape(moveBody, bodySchema(op("post", "/api/v1/auth/move")), "move body");
    const moved = await app.request("/api/v1/auth/move", postJson(moveBody));
    expect(moved.status).toBe(200);
    expectDocumented(await moved.json(), successSchema(op("post", "/api/v1/auth/move")), "move");

    const jwks = await app.request("/api/v1/auth/jwks");
    expectDocumented(await jwks.json(), successSchema(op("get", "/api/v1/auth/jwks")), "jwks");

    const admin = { authorization: `Bearer ${tokens.access_token}` };
    const revoked = await app.request("/api/v1/auth/admin/sessions/revoke", postJson({ sub: wallet.address }, admin));
    expect(revoked.status).toBe(200);
    expectDocumented(await revoked.json(), successSchema(op("post", "/api/v1/auth/admin/sessions/revoke")), "revoke");

    const feed = await app.request("/api/v1/auth/revocations", { headers: { authorization: `Bearer ${FEED_BEARER}` } });
    expect(feed.status).toBe(200);
    const items = (await feed.json()) as { items: unknown[] };
    const feedSchema = successSchema(op("get", "/api/v1/auth/revocations"));
    expectDocumented(items, feedSchema, "revocations");
    expect(items.items.length).toBeGreaterThan(0);
    expectDocumented(items.items[0], (feedSchema.properties?.items as { items: JsonSchema }).items, "revocation item");

    // Logout: the body is optional (a bearer access token names the session otherwise); 204 documented and answered.
    const logout = op("post", "/api/v1/auth/logout");
    expect([Object.keys(logout.responses).includes("204"), Object.keys(logout.responses).includes("200"), (logout.requestBody as { required?: boolean }).required]).toEqual([true, false, false]);
    const loggedOut = await app.request("/api/v1/auth/logout", { method: "POST", headers: admin });
    expect(loggedOut.status).toBe(204);
    const unbind = op("delete", "/api/v1/auth/admin/bindings/{address}");
    expect(Object.keys(unbind.responses)).toEqual(["204", "401", "403", "404", "503"]);

    // Who needs which credential.
    expect(op("get", "/api/v1/auth/revocations").security).toEqual([{ revocationFeedBearer: [] }]);
    expect(op("post", "/api/v1/auth/admin/sessions/revoke").security).toEqual([{ bearerAuth: [] }]);
    expect(logout.security).toEqual([{}, { bearerAuth: [] }]);
    for (const path of ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/sign-in", "/api/v1/auth/challenge", "/api/v1/auth/move"]) expect(op("post", path).security, path).toEqual([]);
    expect(op("get", "/api/profile").security).toEqual([{ bearerAuth: [] }]);
    await app.stop();
  });
});

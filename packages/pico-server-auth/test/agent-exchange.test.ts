/**
 * POST TOKEN_PATH (RFC 8693 token exchange): the request as a form or JSON, every parameter checked
 * with an OAuth error naming it, and the agent token's header and claims.
 */
import { describe, expect, it } from "vitest";
import { AGENT_TOKEN_TYPE } from "pico-client-auth/contract";
import { TOKEN_EXCHANGE_GRANT, TOKEN_PATH } from "../src/index.js";
import { ACCESS_TOKEN_TYPE, JWT_TYPE, agentApp, agentToken, exchange, exchangeFields, form, headerOf, oauthError } from "./agent-support.js";
import { ADMIN, claimsOf, postJson } from "./support.js";
import { answer, login, profile, refresh } from "./session-support.js";

describe("POST /api/v1/auth/token: the request", () => {
  it("takes a form, as RFC 8693 sends it, and the same fields as JSON; answers no-store", async () => {
    const a = agentApp();
    const { access_token } = await login(a);
    for (const as of ["form", "json"] as const) {
      const res = await exchange(a, exchangeFields(access_token, { scope: "profile:read billing:read" }), as);
      expect([res.status, res.headers.get("cache-control"), res.headers.get("pragma")]).toEqual([200, "no-store", "no-cache"]);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ access_token: expect.any(String), issued_token_type: JWT_TYPE, token_type: "Bearer", expires_in: 300, scope: "profile:read billing:read" });
    }
    await a.stop();
  });

  it("415 for any other body type, with OAuth's fields; /refresh still refuses forms with its 415", async () => {
    const a = agentApp();
    const both = "Expected a form body (Content-Type: application/x-www-form-urlencoded) or a JSON body (Content-Type: application/json)";
    const plain = await a.request(TOKEN_PATH, { method: "POST", body: "grant_type=x", headers: { "content-type": "text/plain" } });
    expect(await answer(plain)).toEqual([415, oauthError("invalid_request", `${both}, got "text/plain"`)]);
    const refreshForm = await a.request("/api/v1/auth/refresh", form({ refresh_token: "x" }));
    expect(await answer(refreshForm)).toEqual([415, { detail: 'Expected a JSON body (Content-Type: application/json), got "application/x-www-form-urlencoded"' }]);
    await a.stop();
  });

  it("400 invalid_request for an empty body, a repeated parameter and a JSON field that is not a string", async () => {
    const a = agentApp();
    expect(await answer(a.request(TOKEN_PATH, form("")))).toEqual([400, oauthError("invalid_request", "Expected a form or JSON body, got an empty body")]);
    expect(await answer(a.request(TOKEN_PATH, form("scope=a&actor=b&scope=c")))).toEqual([
      400,
      oauthError("invalid_request", 'Form parameter "scope" is repeated: each parameter may appear once (RFC 6749 §3.2)'),
    ]);
    expect(await answer(a.request(TOKEN_PATH, postJson({ ...exchangeFields("t"), spend_limit: 25 })))).toEqual([
      400,
      oauthError("invalid_request", 'JSON body field "spend_limit" expected a string, got 25'),
    ]);
    await a.stop();
  });

  const without = (name: string) => (subject: string) => {
    const fields = exchangeFields(subject);
    delete fields[name];
    return fields;
  };
  const withField = (extra: Record<string, string>) => (subject: string) => exchangeFields(subject, extra);
  it.each<[string, (subject: string) => Record<string, string>, string, string]>([
    ["no grant_type", without("grant_type"), "invalid_request", "grant_type is required"],
    ["another grant_type", withField({ grant_type: "refresh_token" }), "unsupported_grant_type", `grant_type expected "${TOKEN_EXCHANGE_GRANT}", got "refresh_token"`],
    ["no subject_token", without("subject_token"), "invalid_request", "subject_token is required"],
    ["an empty subject_token", withField({ subject_token: "" }), "invalid_request", "subject_token is required"],
    ["no subject_token_type", without("subject_token_type"), "invalid_request", "subject_token_type is required"],
    ["another subject_token_type", withField({ subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token" }), "invalid_request", `subject_token_type expected one of "${ACCESS_TOKEN_TYPE}", "${JWT_TYPE}", got "urn:ietf:params:oauth:token-type:refresh_token"`],
    ["an actor_token", withField({ actor_token: "x", actor_token_type: JWT_TYPE }), "invalid_request", "actor_token is not supported: name the agent with the actor parameter (its id)"],
    ["another requested_token_type", withField({ requested_token_type: ACCESS_TOKEN_TYPE }), "invalid_request", `requested_token_type expected "${JWT_TYPE}" (agent tokens are JWTs), got "${ACCESS_TOKEN_TYPE}"`],
    ["a resource", withField({ resource: "https://api.example.com" }), "invalid_target", "resource is not supported: agent tokens are issued for the agent audience; name it with audience, or leave both out"],
    ["no actor", without("actor"), "invalid_request", "actor is required"],
    ["an actor with a space", withField({ actor: "my agent" }), "invalid_request", 'actor expected an agent id: 1 to 256 printable ASCII characters without spaces, got "my agent"'],
    ["an actor too long", withField({ actor: "a".repeat(257) }), "invalid_request", `actor expected an agent id: 1 to 256 printable ASCII characters without spaces, got "${"a".repeat(80)}…"`],
    ["no scope", without("scope"), "invalid_request", "scope is required"],
    ["a blank scope", withField({ scope: "   " }), "invalid_request", "scope is required: one or more space-separated scopes"],
    ["a scope with a quote", withField({ scope: 'profile:read bad"scope' }), "invalid_request", 'scope expected space-separated scopes of printable ASCII (RFC 6749 §3.3), got "bad\\"scope"'],
    ["a scope with a tab", withField({ scope: "a\tb" }), "invalid_request", 'scope expected space-separated scopes of printable ASCII (RFC 6749 §3.3), got "a\\tb"'],
    ["a bad task_id", withField({ task_id: "" }), "invalid_request", 'task_id expected 1 to 256 printable ASCII characters without spaces, got ""'],
    ["a negative spend_limit", withField({ spend_limit: "-1" }), "invalid_request", 'spend_limit expected a non-negative decimal number as a string, such as "25.00", got "-1"'],
    ["an exponent spend_limit", withField({ spend_limit: "1e3" }), "invalid_request", 'spend_limit expected a non-negative decimal number as a string, such as "25.00", got "1e3"'],
    ["a leading-zero spend_limit", withField({ spend_limit: "007" }), "invalid_request", 'spend_limit expected a non-negative decimal number as a string, such as "25.00", got "007"'],
    ["a spend_limit with a trailing dot", withField({ spend_limit: "5." }), "invalid_request", 'spend_limit expected a non-negative decimal number as a string, such as "25.00", got "5."'],
    ["another audience", withField({ audience: "my-app" }), "invalid_target", 'audience expected "agent:my-app" (agent tokens are for the agent audience), got "my-app"'],
  ])("400 for %s", async (_case, fields, error, description) => {
    const a = agentApp();
    const { access_token } = await login(a);
    expect(await answer(exchange(a, fields(access_token)))).toEqual([400, oauthError(error, description)]);
    await a.stop();
  });

  it("ignores parameters it does not know (RFC 6749 §3.2)", async () => {
    const a = agentApp();
    const { access_token } = await login(a);
    expect((await exchange(a, exchangeFields(access_token, { client_id: "cli", foo: "bar" }))).status).toBe(200);
    await a.stop();
  });
});

describe("the agent token", () => {
  it("header typ agent+jwt and the key's alg and kid; claims sub, act, scope, sid, role, aud, short exp, task_id, spend_limit", async () => {
    const a = agentApp();
    const { access_token } = await login(a);
    const issued = await agentToken(a, exchangeFields(access_token, { scope: "billing:read profile:read billing:read", task_id: "task-42", spend_limit: "25.50", audience: "agent:my-app", requested_token_type: JWT_TYPE }));
    const accessHeader = headerOf(access_token);
    expect(headerOf(issued.access_token)).toEqual({ alg: accessHeader.alg, kid: accessHeader.kid, typ: AGENT_TOKEN_TYPE });
    const user = claimsOf(access_token);
    const claims = claimsOf(issued.access_token);
    expect(claims).toEqual({
      iss: "http://localhost:8100",
      aud: "agent:my-app",
      sub: ADMIN.email,
      act: { sub: "agent-7" },
      scope: "billing:read profile:read",
      sid: user.sid,
      role: "admin",
      client_id: "my-app",
      iat: expect.any(Number),
      exp: (claims.iat as number) + 300,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      task_id: "task-42",
      spend_limit: "25.50",
    });
    expect(claims.jti).not.toBe(user.jti);
    expect(issued.scope).toBe("billing:read profile:read");
    await a.stop();
  });

  it("lives agent_token_expire_minutes, never past the session's end", async () => {
    const a = agentApp({ agent_token_expire_minutes: 60, access_token_expire_minutes: 1440, session_max_days: 1 });
    const { access_token } = await login(a);
    const { iat } = claimsOf(access_token) as { iat: number };
    expect((await agentToken(a, exchangeFields(access_token))).expires_in).toBe(3600);
    // Two minutes before the session's end (session_max_days after the login): two minutes left.
    const { TokenExchange } = await import("../src/index.js");
    a.container.get(TokenExchange).now = () => iat + 86_400 - 120;
    const late = await agentToken(a, exchangeFields(access_token));
    expect([late.expires_in, claimsOf(late.access_token).exp]).toEqual([120, iat + 86_400]);
    await a.stop();
  });

  it("is refused as an access token: the guard answers 401 for it in Authorization", async () => {
    const a = agentApp();
    const { access_token } = await login(a);
    const issued = await agentToken(a, exchangeFields(access_token));
    expect((await profile(a, issued.access_token)).status).toBe(401);
    expect((await profile(a, access_token)).status).toBe(200);
    await a.stop();
  });

  it("is no refresh token either", async () => {
    const a = agentApp();
    const issued = await agentToken(a, exchangeFields((await login(a)).access_token));
    expect((await refresh(a, issued.access_token)).status).toBe(401);
    await a.stop();
  });

  it("the route is in the OpenAPI document with a form and a JSON body", async () => {
    const a = agentApp();
    const document = (await (await a.request("/openapi.json")).json()) as { paths: Record<string, { post?: { requestBody?: { content: Record<string, unknown> }; security?: unknown[] } }> };
    const operation = document.paths[TOKEN_PATH]?.post;
    expect(Object.keys(operation?.requestBody?.content ?? {})).toEqual(["application/x-www-form-urlencoded", "application/json"]);
    expect(operation?.security).toEqual([]);
    await a.stop();
  });
});

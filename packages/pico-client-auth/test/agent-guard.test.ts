/**
 * The guard with agent tokens: X-Agent-Authorization is verified on every guarded route that gets
 * one, runs the handler inside an AgentContext, and @requiresAgentScope reads it (and only it).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecoratorMisuseError } from "pico-ioc";
import { controller, get } from "pico-hono";
import { AgentContext, AuthConfigurationError, REVOCATION_CHECK, SecurityContext, allowAnonymous, requiresAgentScope, requiresRole, requiresScope } from "../src/index.js";
import type { RevocationCheck, RevocationStatus } from "../src/index.js";
import { authApp, authConfig } from "./app.js";
import { agentClaims, defaultClaims, rsaKey, sign, signAgent, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

@controller({ prefix: "/agent" })
class Delegated {
  @get("/wallet")
  @requiresAgentScope("wallet:read", "wallet:send")
  wallet() {
    const agent = AgentContext.current();
    return { user: SecurityContext.current().claims.sub, agentId: agent.agentId, userId: agent.userId, scopes: agent.scopes, parentChain: agent.parentChain };
  }

  @get("/any")
  any() {
    return { agent: AgentContext.tryCurrent()?.agentId ?? null };
  }

  @get("/asks")
  asks() {
    return AgentContext.current().agentId;
  }

  @get("/user-scope")
  @requiresScope("wallet:read")
  userScope() {
    return "user scope";
  }

  @get("/admin")
  @requiresRole("admin")
  @requiresAgentScope("wallet:read")
  admin() {
    return "admin";
  }

  @allowAnonymous
  @get("/open")
  open() {
    return { agent: AgentContext.tryCurrent()?.agentId ?? null };
  }
}

const revoked = new Set<string>();
const denylist: RevocationCheck = { enabled: true, status: (jti): RevocationStatus => (revoked.has(jti) ? "revoked" : "not-revoked") };

let key: ClassicalKey, impostor: ClassicalKey;
let app: ReturnType<typeof authApp>;
beforeAll(async () => {
  [key, impostor] = await Promise.all([rsaKey("k1"), rsaKey("k1")]);
  app = authApp([Delegated], staticKeySource([key.jwk]), { overrides: [{ provide: REVOCATION_CHECK, useValue: denylist }] });
});
afterAll(() => app?.stop());

const accessToken = (overrides: Record<string, unknown> = {}) => sign(key, defaultClaims(overrides));
const agentToken = (overrides: Record<string, unknown> = {}) => signAgent(key, agentClaims(overrides));

/** A request with the user's token and, when given, an agent token; the answer as status, body and challenge. */
async function call(path: string, access: string | undefined, agent?: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    headers: { ...(access ? { authorization: `Bearer ${access}` } : {}), ...(agent !== undefined ? { "x-agent-authorization": `Bearer ${agent}` } : {}), ...headers },
  });
  return { status: res.status, body: (await res.json()) as unknown, challenge: res.headers.get("www-authenticate") };
}
const refused = (detail: string) => expect.objectContaining({ status: 401, body: { detail } });
const agentRefused = (detail: string) => refused(`X-Agent-Authorization: ${detail}`);
const NO_AGENT = "Missing or invalid X-Agent-Authorization header: an agent token is required";

describe("X-Agent-Authorization on guarded routes", () => {
  it("@requiresAgentScope: the handler sees both contexts", async () => {
    expect(await call("/agent/wallet", await accessToken(), await agentToken({ act: { sub: "agent-2", act: { sub: "agent-1" } } }))).toEqual({
      status: 200,
      body: { user: "user-123", agentId: "agent-2", userId: "user-123", scopes: ["wallet:read"], parentChain: ["agent-1"] },
      challenge: null,
    });
  });

  it("@requiresAgentScope without an agent token: 401 (the user's own token is not enough)", async () => {
    const answer = await call("/agent/wallet", await accessToken({ scope: "wallet:read" }));
    expect(answer).toEqual(refused(NO_AGENT));
    expect(answer.challenge).toBe('Bearer realm="api"');
    expect(await call("/agent/wallet", undefined, await agentToken())).toEqual(refused("Missing or invalid Authorization header"));
  });

  it("over a socket, from Node's parsed headers: the agent token is read, and an absent one is absent", async () => {
    const { url } = await app.start({ port: 0 });
    const get = async (path: string, headers: Record<string, string>) => {
      const res = await fetch(`${url}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const user = { authorization: `Bearer ${await accessToken()}` };
    expect(await get("/agent/wallet", { ...user, "x-agent-authorization": `Bearer ${await agentToken()}` })).toMatchObject({ status: 200, body: { agentId: "agent-7" } });
    expect(await get("/agent/wallet", user)).toEqual({ status: 401, body: { detail: NO_AGENT } });
    expect(await get("/agent/any", user)).toEqual({ status: 200, body: { agent: null } });
    expect(await get("/agent/any", { ...user, "x-agent-authorization": "Bearer not-a-token" })).toMatchObject({ status: 401 });
  });

  it("a scope the agent was not granted (a widened token) is a 403 with insufficient_scope; globs grant", async () => {
    const answer = await call("/agent/wallet", await accessToken({ scope: "wallet:read" }), await agentToken({ scope: "profile:read wallet" }));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ detail: "Missing required agent scope; required one of: ['wallet:read', 'wallet:send']" });
    expect(answer.challenge).toMatch(/error="insufficient_scope"/);
    expect((await call("/agent/wallet", await accessToken(), await agentToken({ scope: "wallet:*" }))).status).toBe(200);
    expect((await call("/agent/wallet", await accessToken(), await agentToken({ scope: "*" }))).status).toBe(200);
    expect((await call("/agent/wallet", await accessToken(), await agentToken({ scope: "wallet:*:read" }))).status).toBe(403);
  });

  it("@requiresScope reads the access token only: agent scopes do not satisfy it", async () => {
    expect((await call("/agent/user-scope", await accessToken(), await agentToken({ scope: "*" }))).status).toBe(403);
    expect((await call("/agent/user-scope", await accessToken({ scope: "wallet:read" }), await agentToken({ scope: "" }))).status).toBe(200);
  });

  it("requirements of both kinds combine: the user's role and the agent's scope", async () => {
    expect((await call("/agent/admin", await accessToken({ role: "viewer" }), await agentToken())).status).toBe(403);
    expect((await call("/agent/admin", await accessToken(), await agentToken({ scope: "other" }))).status).toBe(403);
    expect((await call("/agent/admin", await accessToken(), await agentToken())).status).toBe(200);
  });

  it("on a route without agent requirements: no AgentContext without the header, the agent's with it", async () => {
    expect(await call("/agent/any", await accessToken())).toMatchObject({ status: 200, body: { agent: null } });
    expect(await call("/agent/any", await accessToken(), await agentToken())).toMatchObject({ status: 200, body: { agent: "agent-7" } });
    // AgentContext.current() in a handler is the 401 when none came.
    expect(await call("/agent/asks", await accessToken())).toEqual(refused(NO_AGENT));
    expect(await call("/agent/asks", await accessToken(), await agentToken())).toMatchObject({ status: 200, body: "agent-7" });
    // Public routes read no token at all.
    expect(await call("/agent/open", undefined, await agentToken())).toMatchObject({ status: 200, body: { agent: null } });
  });

  it("a present header is always verified: a bad agent token is a 401 even where none is required", async () => {
    expect(await call("/agent/any", await accessToken(), "not.a.token")).toEqual(agentRefused("Invalid token: malformed header"));
    expect(await call("/agent/any", await accessToken(), undefined, { "x-agent-authorization": "Basic abc" })).toEqual(refused(NO_AGENT));
    expect(await call("/agent/any", await accessToken(), undefined, { "x-agent-authorization": "" })).toEqual(refused(NO_AGENT));
    expect(await call("/agent/any", await accessToken(), "a".repeat(20_000))).toEqual(agentRefused("Invalid token: too long"));
  });

  it("refuses forged, expired, wrong-audience and wrong-typ agent tokens with 401s naming the header", async () => {
    const access = await accessToken();
    expect(await call("/agent/wallet", access, await signAgent(impostor, agentClaims()))).toEqual(agentRefused("Invalid token: signature verification failed"));
    const now = Math.floor(Date.now() / 1000);
    expect(await call("/agent/wallet", access, await agentToken({ iat: now - 600, exp: now - 300 }))).toEqual(agentRefused("Token has expired"));
    expect(await call("/agent/wallet", access, await agentToken({ aud: "my-api" }))).toEqual(agentRefused("Invalid token: audience mismatch"));
    expect(await call("/agent/wallet", access, await sign(key, agentClaims()))).toEqual(agentRefused('Invalid token: an agent token needs the header typ "agent+jwt"'));
    expect(await call("/agent/wallet", access, await agentToken({ act: undefined }))).toEqual(
      agentRefused('Invalid token: an agent token needs an "act" claim: an object with a non-empty string "sub" (at every level)'),
    );
  });

  it("the agent token must act for the access token's user", async () => {
    const answer = await call("/agent/wallet", await accessToken({ sub: "user-123" }), await agentToken({ sub: "someone-else" }));
    expect(answer).toEqual(agentRefused(`Invalid token: the agent token's "sub" is not the access token's`));
    expect(answer.challenge).toMatch(/error="invalid_token"/);
  });

  it("neither token passes in the other's header", async () => {
    const agent = await agentToken();
    expect(await call("/agent/any", agent)).toEqual(refused("Invalid token: an agent token is not an access token (it goes in X-Agent-Authorization)"));
    expect(await call("/agent/wallet", agent, agent)).toEqual(refused("Invalid token: an agent token is not an access token (it goes in X-Agent-Authorization)"));
    const access = await accessToken();
    expect(await call("/agent/any", access, access)).toEqual(agentRefused('Invalid token: an agent token needs the header typ "agent+jwt"'));
  });

  it("a revoked agent token is refused, also once cached (its session was revoked after its first use)", async () => {
    const access = await accessToken();
    const agent = await agentToken({ jti: "agent-session-jti" });
    expect((await call("/agent/wallet", access, agent)).status).toBe(200);
    expect((await call("/agent/wallet", access, agent)).status).toBe(200);
    revoked.add("agent-session-jti");
    expect(await call("/agent/wallet", access, agent)).toEqual(agentRefused("Token revoked"));
    expect(await call("/agent/any", access, agent)).toEqual(agentRefused("Token revoked"));
    revoked.add("never-used");
    expect(await call("/agent/wallet", access, await agentToken({ jti: "never-used" }))).toEqual(agentRefused("Token revoked"));
  });

  it("any X-Agent-Authorization value is a 200 only for the valid agent token, else a 401 with a JSON detail (300 runs, fixed seed)", async () => {
    const access = await accessToken();
    const valid = await agentToken();
    const value = fc.oneof(
      fc.string({ unit: "grapheme-ascii", maxLength: 80 }),
      fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`),
      fc.tuple(fc.constantFrom("Bearer", "bearer", "Basic", ""), fc.constantFrom(" ", "\t", "", "  "), fc.constantFrom(valid, access, `${valid}x`, valid.slice(0, -2), `${valid} ${valid}`, `${valid}, Bearer ${valid}`, "")).map((parts) => parts.join("")),
    );
    await fc.assert(
      fc.asyncProperty(value, async (header) => {
        let headers: Headers;
        try {
          headers = new Headers({ authorization: `Bearer ${access}`, "x-agent-authorization": header });
        } catch {
          return; // not a legal header value: no client can send it
        }
        const res = await app.request("/agent/any", { headers });
        const sent = headers.get("x-agent-authorization") ?? "";
        const body = (await res.json()) as { detail?: unknown; agent?: unknown };
        const context = `${res.status} ${JSON.stringify(body)} for ${JSON.stringify(sent.slice(0, 120))}`;
        if (/^bearer[ \t]+(\S+)$/i.exec(sent.trim())?.[1] === valid) {
          expect(res.status, context).toBe(200);
          expect(body, context).toEqual({ agent: "agent-7" });
          return;
        }
        expect(res.status, context).toBe(401);
        expect(body.detail, context).toEqual(expect.any(String));
        expect(res.headers.get("www-authenticate"), context).toMatch(/^Bearer realm="api"/);
      }),
      { seed: 20_261_202, numRuns: 300 },
    );
  });

  it("over a socket: the header is read from Node's parsed headers", async () => {
    const { url } = await app.start({ port: 0 });
    const headers = { authorization: `Bearer ${await accessToken()}`, "X-Agent-Authorization": `Bearer ${await agentToken()}` };
    const res = await fetch(`${url}/agent/wallet`, { headers });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { agentId: string }).agentId).toBe("agent-7");
    const without = await fetch(`${url}/agent/wallet`, { headers: { authorization: headers.authorization } });
    expect(without.status).toBe(401);
  });
});

describe("auth_client.agent_audience", () => {
  it("is the audience agent tokens must carry (env AUTH_CLIENT__AGENT_AUDIENCE); unset, agent:<audience>", async () => {
    const custom = authApp([Delegated], staticKeySource([key.jwk]), { env: { AUTH_CLIENT__AGENT_AUDIENCE: "https://agents.example.com" } });
    const access = await accessToken();
    const headers = (agent: string) => ({ headers: { authorization: `Bearer ${access}`, "x-agent-authorization": `Bearer ${agent}` } });
    expect((await custom.request("/agent/wallet", headers(await agentToken({ aud: "https://agents.example.com" })))).status).toBe(200);
    expect((await custom.request("/agent/wallet", headers(await agentToken()))).status).toBe(401);
  });

  it("boot fails when it is empty or equal to the access audience (agent tokens would differ from access tokens by typ alone)", async () => {
    const cases: [string, string][] = [
      ["", 'auth_client.agent_audience must not be empty (leave it unset for "agent:" + audience)'],
      ["my-api", 'auth_client.agent_audience must differ from auth_client.audience, both are "my-api"'],
    ];
    for (const [agent_audience, message] of cases) {
      const error = await authApp([Delegated], staticKeySource([]), { config: { auth_client: { ...authConfig, agent_audience } } }).init().catch((e: unknown) => e);
      expect((error as Error).message, message).toContain(message);
      expect((error as { cause?: unknown }).cause).toBeInstanceOf(AuthConfigurationError);
    }
  });
});

describe("@requiresAgentScope: declaration and OpenAPI", () => {
  it("misuse fails when the class is declared, as for the other decorators", () => {
    expect(() => requiresAgentScope()).toThrow(new DecoratorMisuseError("@requiresAgentScope expected one or more non-empty strings, got []"));
    expect(() => requiresAgentScope("")).toThrow(DecoratorMisuseError);
    expect(() => {
      class Both {
        @allowAnonymous
        @requiresAgentScope("a")
        both() {}
      }
      return Both;
    }).toThrow("@allowAnonymous cannot be combined with @requiresRole/@requiresGroup/@requiresScope/@requiresAgentScope on the same target");
    expect(() => {
      class Twice {
        @requiresAgentScope("a")
        @requiresAgentScope("b")
        twice() {}
      }
      return Twice;
    }).toThrow(/used twice on the same target/);
  });

  it("the document asks for both credentials where an agent token is required, and describes the header", async () => {
    type Operation = { security?: unknown; responses: Record<string, unknown> };
    const document = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
    expect(document.paths["/agent/wallet"]?.get?.security).toEqual([{ bearerAuth: [], agentAuth: [] }]);
    expect(Object.keys(document.paths["/agent/wallet"]?.get?.responses ?? {})).toEqual(["200", "401", "403"]);
    expect(document.paths["/agent/any"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.agentAuth).toMatchObject({ type: "apiKey", in: "header", name: "x-agent-authorization" });
  });
});

/**
 * What the token exchange grants and refuses: invalid_grant for subject tokens that are not live access
 * tokens of ours, invalid_scope beyond role_scopes (glob patterns), chained exchanges, revocation with
 * the user's session, the per-client limit, the event, and the settings' boot checks.
 */
import { createPrivateKey, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { LogFields, Logger } from "pico-ioc";
import { AdminLogin, RevocationList, SESSION_STORE, TokenExchange } from "../src/index.js";
import { JWT_TYPE, ROLE_SCOPES, agentApp, agentToken, exchange, exchangeFields, headerOf, oauthError } from "./agent-support.js";
import { Profile, claimsOf, ed25519Wallet, postJson, serverApp, walletSignIn } from "./support.js";
import { FEED_BEARER, answer, feed, login } from "./session-support.js";
import type { Tokens } from "./session-support.js";

const NOT_ACCESS = "subject_token is not a valid access token of this server: expired, for another issuer or audience, or not an access token";
const NOT_OURS = "subject_token is not a token of this server: malformed, unknown key or bad signature";
const grantError = (description: string) => [400, oauthError("invalid_grant", description)];

/** `token` with its payload replaced (the signature no longer matches). */
function tampered(token: string, change: Record<string, unknown>): string {
  const [header, , signature] = token.split(".");
  const payload = Buffer.from(JSON.stringify({ ...claimsOf(token), ...change })).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The claims of `token`, signed by a key of the attacker's under the same kid. */
function signedByAnotherKey(token: string): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  const header = Buffer.from(JSON.stringify({ ...headerOf(token), alg: "EdDSA" })).toString("base64url");
  const payload = token.split(".")[1] as string;
  const signature = nodeSign(null, Buffer.from(`${header}.${payload}`), createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" }))).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

describe("invalid_grant: the subject token must be a live access token of ours", () => {
  it("a forged, a foreign-signed, a garbled and an expired subject token", async () => {
    const a = agentApp({ algorithm: "EdDSA" });
    const { access_token } = await login(a);
    const forged = tampered(access_token, { role: "admin", sub: "someone-else" });
    expect(await answer(exchange(a, exchangeFields(forged)))).toEqual(grantError(NOT_OURS));
    expect(await answer(exchange(a, exchangeFields(signedByAnotherKey(access_token))))).toEqual(grantError(NOT_OURS));
    expect(await answer(exchange(a, exchangeFields("not.a.token")))).toEqual(grantError(NOT_OURS));
    const exp = claimsOf(access_token).exp as number;
    a.container.get(TokenExchange).now = () => exp;
    expect(await answer(exchange(a, exchangeFields(access_token)))).toEqual(grantError(NOT_ACCESS));
    await a.stop();
  });

  it("a refresh token is no subject token", async () => {
    const a = agentApp();
    const { refresh_token } = await login(a);
    expect(await answer(exchange(a, exchangeFields(refresh_token)))).toEqual(grantError(NOT_OURS));
    await a.stop();
  });

  it("an access token of a logged-out session is revoked", async () => {
    const a = agentApp();
    const { access_token, refresh_token } = await login(a);
    expect((await a.request("/api/v1/auth/logout", postJson({ refresh_token }))).status).toBe(204);
    expect(await answer(exchange(a, exchangeFields(access_token)))).toEqual(grantError("subject_token is revoked"));
    await a.stop();
  });

  it("a session revoked in the store, not yet in this instance's revocation list, is refused too", async () => {
    const a = agentApp({ sync_interval_ms: 10_000 });
    const { access_token } = await login(a);
    await a.container.get(SESSION_STORE).revokeFamily(claimsOf(access_token).sid as string, Math.floor(Date.now() / 1000));
    expect(a.container.get(RevocationList).isRevoked(claimsOf(access_token).jti as string)).toBe(false);
    expect(await answer(exchange(a, exchangeFields(access_token)))).toEqual(grantError("the session of subject_token is revoked or unknown"));
    await a.stop();
  });

  it("a session whose credential changed (admin password, wallet binding) mints no agent token: it is revoked, as at its next refresh", async () => {
    const a = agentApp({ allow_agent_token_exchange: true });
    const { access_token } = await login(a);
    const agent = await agentToken(a, exchangeFields(access_token));
    vi.spyOn(a.container.get(AdminLogin), "currentStamp").mockResolvedValue("admin:2");
    const ended = grantError("the session of subject_token has ended: admin credentials changed or admin login disabled; sign in again");
    expect(await answer(exchange(a, exchangeFields(access_token)))).toEqual(ended);
    const revocations = a.container.get(RevocationList);
    expect([access_token, agent.access_token].map((t) => revocations.isRevoked(claimsOf(t).jti as string))).toEqual([true, true]);
    expect(await answer(exchange(a, exchangeFields(agent.access_token, { subject_token_type: JWT_TYPE })))).toEqual(grantError("subject_token is revoked"));
    await a.stop();
  });

  it("an agent token is refused as subject unless allow_agent_token_exchange is on", async () => {
    const a = agentApp();
    const agent = await agentToken(a, exchangeFields((await login(a)).access_token));
    expect(await answer(exchange(a, exchangeFields(agent.access_token, { subject_token_type: JWT_TYPE, actor: "agent-8" })))).toEqual(
      grantError("subject_token is an agent token: exchanging one needs server_auth.allow_agent_token_exchange"),
    );
    await a.stop();
  });
});

describe("invalid_scope: only what the role may delegate (server_auth.role_scopes, glob patterns)", () => {
  it('admin ["*"] delegates anything', async () => {
    const a = agentApp();
    const issued = await agentToken(a, exchangeFields((await login(a)).access_token, { scope: "anything billing:write *" }));
    expect(issued.scope).toBe("anything billing:write *");
    await a.stop();
  });

  it('wallet ["profile:read", "billing:*"]: "billing:*" covers "billing" and "billing:read", not "billingx"; refusals name every scope', async () => {
    const a = agentApp();
    const { access_token } = (await (await walletSignIn(a, ed25519Wallet())).json()) as Tokens;
    const granted = await agentToken(a, exchangeFields(access_token, { scope: "profile:read billing billing:read billing:refund:all billing:*" }));
    expect(granted.scope).toBe("profile:read billing billing:read billing:refund:all billing:*");
    expect(await answer(exchange(a, exchangeFields(access_token, { scope: "profile:read billingx profile:write" })))).toEqual([
      400,
      oauthError("invalid_scope", 'role "wallet" may not delegate scopes "billingx", "profile:write" (server_auth.role_scopes)'),
    ]);
    expect(await answer(exchange(a, exchangeFields(access_token, { scope: "*" })))).toEqual([400, oauthError("invalid_scope", 'role "wallet" may not delegate scope "*" (server_auth.role_scopes)')]);
    await a.stop();
  });

  it("a role without role_scopes (the default {}) delegates nothing", async () => {
    const a = agentApp({ role_scopes: {} });
    expect(await answer(exchange(a, exchangeFields((await login(a)).access_token)))).toEqual([
      400,
      oauthError("invalid_scope", 'role "admin" may not delegate scope "profile:read" (server_auth.role_scopes)'),
    ]);
    await a.stop();
  });
});

describe("chained exchange (allow_agent_token_exchange)", () => {
  it("act nests, the scopes cannot widen, and the lifetime never passes the subject agent token's", async () => {
    const a = agentApp({ allow_agent_token_exchange: true, agent_token_expire_minutes: 60 });
    const { access_token } = await login(a);
    const first = await agentToken(a, exchangeFields(access_token, { actor: "planner", scope: "billing:* profile:read" }));
    const firstClaims = claimsOf(first.access_token);
    const chained = (extra: Record<string, string>) => exchange(a, exchangeFields(first.access_token, { subject_token_type: JWT_TYPE, actor: "worker", ...extra }));

    const exchanges = a.container.get(TokenExchange);
    exchanges.now = () => (firstClaims.iat as number) + 1800;
    const second = (await (await chained({ scope: "billing:read" })).json()) as { access_token: string; expires_in: number };
    const secondClaims = claimsOf(second.access_token);
    expect(secondClaims).toMatchObject({ sub: firstClaims.sub, sid: firstClaims.sid, act: { sub: "worker", act: { sub: "planner" } }, scope: "billing:read", exp: firstClaims.exp });
    expect(second.expires_in).toBe(1800);

    // admin may delegate "*", but the subject agent token holds only billing:* and profile:read.
    expect(await answer(chained({ scope: "billing:read admin:all" }))).toEqual([
      400,
      oauthError("invalid_scope", 'the subject agent token does not hold scope "admin:all": a chained exchange cannot widen its scopes'),
    ]);
    // Once more: three actors, outermost first.
    const third = await agentToken(a, exchangeFields(second.access_token, { subject_token_type: JWT_TYPE, actor: "helper", scope: "billing:read" }));
    expect(claimsOf(third.access_token).act).toEqual({ sub: "helper", act: { sub: "worker", act: { sub: "planner" } } });
    // An expired subject agent token grants nothing.
    exchanges.now = () => firstClaims.exp as number;
    expect(await answer(chained({ scope: "billing:read" }))).toEqual(
      grantError("subject_token is not a valid agent token of this server: expired, for another issuer or audience, or without act and scope"),
    );
    await a.stop();
  });

  it("a forged agent token, or one whose session was logged out, grants nothing", async () => {
    const a = agentApp({ allow_agent_token_exchange: true });
    const { access_token, refresh_token } = await login(a);
    const agent = await agentToken(a, exchangeFields(access_token, { scope: "profile:read" }));
    const widened = tampered(agent.access_token, { scope: "*" });
    expect(await answer(exchange(a, exchangeFields(widened, { subject_token_type: JWT_TYPE })))).toEqual(grantError(NOT_OURS));
    await a.request("/api/v1/auth/logout", postJson({ refresh_token }));
    expect(await answer(exchange(a, exchangeFields(agent.access_token, { subject_token_type: JWT_TYPE })))).toEqual(grantError("subject_token is revoked"));
    await a.stop();
  });
});

describe("revocation", () => {
  it("logging out the user's session lists its agent tokens in the revocation list and feed", async () => {
    const a = agentApp();
    const { access_token } = await login(a);
    const agents = [await agentToken(a, exchangeFields(access_token)), await agentToken(a, exchangeFields(access_token, { actor: "agent-8" }))];
    const jtis = agents.map((t) => claimsOf(t.access_token).jti as string);
    const revocations = a.container.get(RevocationList);
    expect(jtis.map((jti) => revocations.isRevoked(jti))).toEqual([false, false]);
    expect(await feed(a)).toEqual([]);
    expect((await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${access_token}` } })).status).toBe(204);
    expect(jtis.map((jti) => revocations.isRevoked(jti))).toEqual([true, true]);
    expect((await feed(a)).sort()).toEqual([claimsOf(access_token).jti as string, ...jtis].sort());
    await a.stop();
  });

  it("a session revoked between the checks and the recording gets no token (recordAccess refuses)", async () => {
    const a = agentApp();
    const { access_token } = await login(a);
    const store = a.container.get(SESSION_STORE);
    const record = store.recordAccess.bind(store);
    store.recordAccess = async (familyId, access) => {
      await store.revokeFamily(familyId, Math.floor(Date.now() / 1000));
      return record(familyId, access);
    };
    expect(await answer(exchange(a, exchangeFields(access_token)))).toEqual(grantError("the session of subject_token is revoked"));
    await a.stop();
  });
});

describe("limits and events", () => {
  it("refreshes_per_client exchanges per client per minute, then 429 with Retry-After", async () => {
    const a = agentApp({ refreshes_per_client: 2 });
    const { access_token } = await login(a);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await exchange(a, exchangeFields(access_token))).status);
    const limited = await exchange(a, exchangeFields(access_token));
    expect([...statuses, limited.status]).toEqual([200, 200, 429, 429]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await a.stop();
  });

  it("an issued agent token is one info line auth.agent_token_issued: session, subject, actor, scope; never the token", async () => {
    const lines: { level: string; fields: LogFields | undefined }[] = [];
    const at = (level: string) => (_message: string, fields?: LogFields) => void lines.push({ level, fields });
    const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
    const a = serverApp({ embedded: true, components: [Profile], logger, server: { role_scopes: ROLE_SCOPES, revocation_feed_bearer: FEED_BEARER } });
    const { access_token } = await login(a);
    const issued = await agentToken(a, exchangeFields(access_token, { scope: "billing:read" }));
    const events = lines.filter((l) => l.fields?.event === "auth.agent_token_issued");
    expect(events).toEqual([{ level: "info", fields: { event: "auth.agent_token_issued", sid: claimsOf(access_token).sid, sub: "admin@example.com", role: "admin", actor: "agent-7", scope: "billing:read", chained: false, client: expect.any(String) } }]);
    expect(JSON.stringify(lines)).not.toContain(issued.access_token.split(".")[2]);
    await a.stop();
  });
});

describe("settings", () => {
  async function bootMessage(server: Record<string, unknown>, env: Record<string, string> = {}): Promise<string> {
    const a = serverApp({ server, env });
    try {
      await a.init();
      return "booted";
    } catch (error) {
      const parts: string[] = [];
      for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message);
      return parts.join(" <- ");
    } finally {
      await a.stop();
    }
  }

  it("role_scopes from the environment as JSON", async () => {
    const a = serverApp({ env: { SERVER_AUTH__ROLE_SCOPES: '{"admin": ["billing:*"]}' } });
    expect((await agentToken(a, exchangeFields((await login(a)).access_token, { scope: "billing:read" }))).scope).toBe("billing:read");
    await a.stop();
  });

  it.each([
    [{ role_scopes: { admin: ["profile read"] } }, 'server_auth.role_scopes: key "admin" item 0 expected a scope pattern (printable ASCII, no spaces, quotes or backslashes, such as "profile:read" or "billing:*"), got "profile read"'],
    [{ role_scopes: { wallet: ["ok", ""] } }, 'server_auth.role_scopes: key "wallet" item 1 expected a scope pattern'],
    [{ role_scopes: { " ": ["a"] } }, 'server_auth.role_scopes: a role name expected, got " "'],
    [{ role_scopes: { admin: "*" } }, 'server_auth.role_scopes: expected string[] map (an object of string lists, such as {"admin": ["*"]}): key "admin" expected string[], got "*"'],
    [{ agent_audience: "my-app" }, 'server_auth.agent_audience must differ from server_auth.audience ("my-app")'],
    [{ agent_audience: "" }, 'server_auth.agent_audience expected a non-empty audience without surrounding spaces, got ""'],
    [{ agent_token_expire_minutes: 61 }, "server_auth.agent_token_expire_minutes: expected at most 60, got 61"],
  ])("boot refuses %j", async (server, message) => {
    expect(await bootMessage(server)).toContain(message);
  });

  it("refuses role_scopes that is not JSON in the environment", async () => {
    expect(await bootMessage({}, { SERVER_AUTH__ROLE_SCOPES: "admin=*" })).toContain('server_auth.role_scopes: expected string[] map (an object of string lists, such as {"admin": ["*"]}), got "admin=*" (not valid JSON) (from env SERVER_AUTH__ROLE_SCOPES)');
  });

  it("agent_audience names the audience of agent tokens", async () => {
    const a = agentApp({ agent_audience: "agents.example.com" });
    const issued = await agentToken(a, exchangeFields((await login(a)).access_token, { audience: "agents.example.com" }));
    expect(claimsOf(issued.access_token).aud).toBe("agents.example.com");
    await a.stop();
  });
});

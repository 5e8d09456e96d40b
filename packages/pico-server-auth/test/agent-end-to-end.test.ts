/**
 * Agent delegation end to end: tokens issued by this server's token exchange, checked by
 * pico-client-auth's guard in the same Application (`X-Agent-Authorization`), and revoked with the
 * user's session. The two halves are tested apart elsewhere; this pins that they agree.
 */
import { describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { AgentContext, SecurityContext, requiresAgentScope } from "pico-client-auth";
import { agentToken, exchangeFields } from "./agent-support.js";
import { Profile, serverApp } from "./support.js";
import { FEED_BEARER, answer, login } from "./session-support.js";

@controller({ prefix: "/api/agent" })
class AgentRoutes {
  @requiresAgentScope("billing:read")
  @get("/billing")
  billing() {
    const agent = AgentContext.current();
    return { user: SecurityContext.current().claims.sub, agent: agent.agentId, chain: agent.parentChain, scopes: agent.scopes, task: agent.taskId ?? null, spend: agent.spendLimit ?? null };
  }
}

const app = (server: Record<string, unknown> = {}) =>
  serverApp({ embedded: true, components: [Profile, AgentRoutes], server: { revocation_feed_bearer: FEED_BEARER, role_scopes: { admin: ["billing:*", "profile:read"] }, ...server } });

const call = (a: ReturnType<typeof app>, access: string, agent?: string) =>
  a.request("/api/agent/billing", { headers: { authorization: `Bearer ${access}`, ...(agent === undefined ? {} : { "x-agent-authorization": `Bearer ${agent}` }) } });

describe("agent tokens from the token exchange, through the guard", () => {
  it("an issued agent token passes @requiresAgentScope with the user's access token; AgentContext carries what was issued", async () => {
    const a = app();
    const { access_token } = await login(a);
    const agent = await agentToken(a, exchangeFields(access_token, { actor: "agent-7", scope: "billing:read", task_id: "task-1", spend_limit: "25.00" }));
    expect(await answer(call(a, access_token, agent.access_token))).toEqual([
      200,
      { user: "admin@example.com", agent: "agent-7", chain: [], scopes: ["billing:read"], task: "task-1", spend: "25.00" },
    ]);
    await a.stop();
  });

  it("without the agent token 401; with one lacking the scope 403; as Authorization alone 401", async () => {
    const a = app();
    const { access_token } = await login(a);
    const narrow = await agentToken(a, exchangeFields(access_token, { scope: "profile:read" }));
    expect((await call(a, access_token)).status).toBe(401);
    const forbidden = await call(a, access_token, narrow.access_token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect((await a.request("/api/profile", { headers: { authorization: `Bearer ${narrow.access_token}` } })).status).toBe(401);
    await a.stop();
  });

  it("logging the user out revokes the agent tokens of that session at once", async () => {
    const a = app();
    const { access_token, refresh_token } = await login(a);
    const agent = await agentToken(a, exchangeFields(access_token, { scope: "billing:read" }));
    expect((await call(a, access_token, agent.access_token)).status).toBe(200);
    const other = await login(a);
    expect((await a.request("/api/v1/auth/logout", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token }) })).status).toBe(204);
    // The agent token alone is revoked, whichever access token carries it.
    const [status, body] = await answer(call(a, other.access_token, agent.access_token));
    expect([status, body]).toEqual([401, { detail: expect.stringContaining("revoked") }]);
    await a.stop();
  });

  it("a chained exchange (allow_agent_token_exchange) nests act: the guard shows the parent chain", async () => {
    const a = app({ allow_agent_token_exchange: true });
    const { access_token } = await login(a);
    const first = await agentToken(a, exchangeFields(access_token, { actor: "planner", scope: "billing:*" }));
    const second = await agentToken(a, exchangeFields(first.access_token, { actor: "worker", scope: "billing:read", subject_token_type: "urn:ietf:params:oauth:token-type:jwt" }));
    const [status, body] = await answer(call(a, access_token, second.access_token));
    expect([status, body]).toEqual([200, expect.objectContaining({ agent: "worker", chain: ["planner"], scopes: ["billing:read"] })]);
    await a.stop();
  });
});

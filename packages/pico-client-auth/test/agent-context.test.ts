import { describe, expect, it } from "vitest";
import { AgentContext, AuthClientError } from "../src/index.js";
import type { TokenClaims } from "../src/index.js";
import { agentClaims } from "./support/tokens.js";

const contextOf = (overrides: Record<string, unknown> = {}) => new AgentContext(agentClaims(overrides) as TokenClaims);

describe("AgentContext", () => {
  it("reads the agent token's claims: agent, user, session, role, scopes, task, spend limit, delegation chain", () => {
    const claims = agentClaims({ act: { sub: "agent-3", act: { sub: "agent-2", act: { sub: "agent-1" } } }, role: "wallet", scope: "wallet:read  billing:* wallet:read", task_id: "task-9", spend_limit: "12.50" });
    const context = new AgentContext(claims as TokenClaims);
    expect({ ...context }).toEqual({
      agentId: "agent-3",
      userId: "user-123",
      sessionId: "session-1",
      role: "wallet",
      scopes: ["wallet:read", "billing:*"],
      taskId: "task-9",
      spendLimit: "12.50",
      parentChain: ["agent-2", "agent-1"],
      claims,
    });
    expect(Object.isFrozen(context) && Object.isFrozen(context.scopes) && Object.isFrozen(context.parentChain)).toBe(true);
  });

  it("a first-hop token (the user's own access token exchanged) has an empty parent chain; absent claims are undefined", () => {
    const context = contextOf({ sid: undefined, role: undefined, scope: undefined });
    expect([context.agentId, context.parentChain, context.scopes, context.sessionId, context.role, context.taskId, context.spendLimit]).toEqual(["agent-7", [], [], undefined, undefined, undefined, undefined]);
  });

  it("takes scope as an array too (other issuers)", () => {
    expect(contextOf({ scope: ["a:read", "b", "a:read"] }).scopes).toEqual(["a:read", "b"]);
  });

  it("hasScope follows the glob rules", () => {
    const context = contextOf({ scope: "wallet:* profile:read a:*:c" });
    expect(["wallet", "wallet:read", "wallet:send:eth", "profile:read", "a:*:c"].map((s) => context.hasScope(s))).toEqual([true, true, true, true, true]);
    expect(["walletx", "profile", "profile:write", "a:b:c", "a", "a:b", "*"].map((s) => context.hasScope(s))).toEqual([false, false, false, false, false, false, false]);
    expect(contextOf({ scope: "*" }).hasScope("anything:at:all")).toBe(true);
  });

  it("refuses claims that are not an agent token's with a 401", () => {
    for (const act of [undefined, { sub: "" }, { sub: "a", act: { sub: 1 } }]) {
      expect(() => contextOf({ act }), JSON.stringify(act)).toThrow(expect.objectContaining({ code: "TOKEN_INVALID", status: 401 }));
    }
  });

  it("current() throws a 401 and tryCurrent() answers undefined outside run(); both see the context inside it, also after an await", async () => {
    expect(AgentContext.tryCurrent()).toBeUndefined();
    const error = (() => {
      try {
        AgentContext.current();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({ code: "MISSING_TOKEN", status: 401, message: "Missing or invalid X-Agent-Authorization header: an agent token is required" });
    const context = contextOf();
    const seen = await AgentContext.run(context, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return [AgentContext.current(), AgentContext.tryCurrent()];
    });
    expect(seen).toEqual([context, context]);
    expect(AgentContext.tryCurrent()).toBeUndefined();
  });
});

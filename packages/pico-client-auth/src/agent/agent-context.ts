import { AsyncLocalStorage } from "node:async_hooks";
import { missingAgentToken } from "../errors.js";
import { scopeGranted } from "../guard/scopes.js";
import type { TokenClaims } from "../token/claims.js";
import { actorChain, agentScopes, checkAgentClaims } from "./agent-claims.js";
import type { AgentClaims } from "./agent-claims.js";

const storage = new AsyncLocalStorage<AgentContext>();

/**
 * The AI agent acting for the user of the current request, from its verified agent token
 * (`X-Agent-Authorization: Bearer ...`). Set for the whole handler beside the user's SecurityContext,
 * only when the request carried an agent token.
 */
export class AgentContext {
  /** The acting agent: `act.sub`. */
  readonly agentId: string;
  /** The user the agent acts for: `sub` (always the access token's `sub` too). */
  readonly userId: string;
  /** The user's session: `sid`. */
  readonly sessionId: string | undefined;
  /** The user's role when the token was issued: `role`. */
  readonly role: string | undefined;
  /** Delegated scopes, from `scope`. */
  readonly scopes: readonly string[];
  readonly taskId: string | undefined;
  /** `spend_limit` as issued (a decimal string); carried, not enforced. */
  readonly spendLimit: string | undefined;
  /**
   * The agents that delegated to this one, most recent first: the `sub` of each `act` nested inside
   * `act`. Empty when the user's own access token was exchanged for this one.
   */
  readonly parentChain: readonly string[];
  readonly claims: AgentClaims;

  /** From an agent token's verified claims; a 401 error when they are not an agent token's. */
  constructor(claims: TokenClaims) {
    const checked = checkAgentClaims(claims);
    const [agentId, ...parents] = actorChain(checked.act);
    this.claims = checked;
    this.agentId = agentId as string;
    this.userId = checked.sub;
    this.sessionId = checked.sid;
    this.role = checked.role;
    this.scopes = agentScopes(checked);
    this.taskId = checked.task_id;
    this.spendLimit = checked.spend_limit;
    this.parentChain = Object.freeze(parents);
    Object.freeze(this);
  }

  /** The current agent; throws a 401 error when the request carried no agent token (or outside a request). */
  static current(): AgentContext {
    const context = storage.getStore();
    if (!context) throw missingAgentToken();
    return context;
  }

  /** The current agent, or `undefined` (no agent token, or outside a request). */
  static tryCurrent(): AgentContext | undefined {
    return storage.getStore();
  }

  /** Runs `fn` with `context` as the current agent. */
  static run<T>(context: AgentContext, fn: () => T): T {
    return storage.run(context, fn);
  }

  /** Glob-aware (scopeGranted): a delegated `billing:*` covers `billing` and `billing:read`, `*` everything. */
  hasScope(scope: string): boolean {
    return this.scopes.some((granted) => scopeGranted(granted, scope));
  }
}

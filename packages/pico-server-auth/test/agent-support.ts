/** Calls of the agent-token tests: the token exchange as a form or as JSON, and its OAuth errors. */
import type { Application } from "pico-boot";
import { TOKEN_EXCHANGE_GRANT, TOKEN_PATH } from "../src/index.js";
import { postJson } from "./support.js";
import { embeddedApp } from "./session-support.js";

export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
export const ROLE_SCOPES = { admin: ["*"], wallet: ["profile:read", "billing:*"] };

export type AgentTokenResponse = { access_token: string; issued_token_type: string; token_type: string; expires_in: number; scope: string };

/** The embedded app (server + guard) with role_scopes set. */
export const agentApp = (server: Record<string, unknown> = {}): Application => embeddedApp({ role_scopes: ROLE_SCOPES, ...server });

/** A complete exchange request for `subject` (an access token), with `extra` fields added or replaced. */
export function exchangeFields(subject: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, actor: "agent-7", scope: "profile:read", ...extra };
}

export const form = (fields: Record<string, string> | string): RequestInit => ({
  method: "POST",
  body: typeof fields === "string" ? fields : new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});

/** POSTs `fields` to TOKEN_PATH as a form (default) or as JSON. */
export function exchange(a: Application, fields: Record<string, string>, as: "form" | "json" = "form"): Promise<Response> {
  return a.request(TOKEN_PATH, as === "form" ? form(fields) : postJson(fields));
}

/** Exchanges and expects a 200: the response body. */
export async function agentToken(a: Application, fields: Record<string, string>): Promise<AgentTokenResponse> {
  const res = await exchange(a, fields);
  if (res.status !== 200) throw new Error(`${TOKEN_PATH} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as AgentTokenResponse;
}

/** The body of an OAuth error answer: `detail` as everywhere, `error` and `error_description` for OAuth clients. */
export const oauthError = (error: string, description: string) => ({ detail: description, error, error_description: description });

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as Record<string, unknown>;
}

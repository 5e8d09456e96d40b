/** The traffic's state: what it sent, what came back, and the sessions and wallet bindings it created. */
import { createHash } from "node:crypto";
import { call } from "./http.js";
import type { Answer, Endpoint, RequestOptions } from "./http.js";
import type { Wallet } from "../bench/lib/wallets.js";

export type Action = "wallet sign-in" | "admin login" | "refresh" | "profile" | "logout" | "garbage";

export interface Session {
  readonly sid: string;
  readonly sub: string;
  readonly role: "admin" | "wallet";
  access: string;
  refresh: string;
  /** The jti of `refresh`: what the store must hold as the session's current refresh token. */
  /** SHA-256 (hex) of the last refresh token handed out: what the store keeps of it. */
  refreshHash: string;
  ended: boolean;
  busy: boolean;
}

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

/** What the store keeps of an opaque refresh token. */
export function hashOf(refreshToken: string): string {
  return createHash("sha256").update(refreshToken).digest("hex");
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

export class Traffic {
  readonly statuses = new Map<number, number>();
  readonly actions = new Map<Action, number>();
  readonly unexpected: string[] = [];
  readonly sessions = new Map<string, Session>();
  readonly bindings = new Map<string, Wallet>();
  readonly wallets: Wallet[] = [];
  requests = 0;
  rateLimited = 0;
  garbageKinds = new Map<string, number>();

  constructor(private readonly server: Endpoint, private readonly maxRequests: number, readonly adminPassword: string) {}

  get budgetLeft(): boolean {
    return this.requests < this.maxRequests;
  }

  async send(method: string, path: string, options?: RequestOptions): Promise<Answer> {
    this.requests++;
    const answer = await call(this.server, method, path, options);
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    return answer;
  }

  expect(answer: Answer, statuses: readonly number[], what: string): boolean {
    if (statuses.includes(answer.status)) return true;
    if (answer.status === 429) {
      // The admin login allows 8 argon2 checks at once; a rate limit is an answer, not a fault.
      this.rateLimited++;
      return false;
    }
    if (this.unexpected.length < 50) this.unexpected.push(`${what}: ${answer.status} ${answer.body.slice(0, 200)}`);
    else this.unexpected.push("…");
    return false;
  }

  /** A live session no other worker is using, at random. */
  pick(): Session | undefined {
    const live = [...this.sessions.values()].filter((s) => !s.ended && !s.busy);
    return live[Math.floor(Math.random() * live.length)];
  }

  /** The session a sign-in or a login answered. */
  record(tokens: Tokens, role: "admin" | "wallet"): void {
    const access = claimsOf(tokens.access_token);
    const sid = String(access.sid);
    this.sessions.set(sid, { sid, sub: String(access.sub), role, access: tokens.access_token, refresh: tokens.refresh_token, refreshHash: hashOf(tokens.refresh_token), ended: false, busy: false });
  }
}

/** The mix of traffic: which action comes next, and the workers that run one after another. */
import type { Action, Traffic } from "./traffic.js";
import { garbage } from "./traffic-garbage.js";
import { profile } from "./traffic-reads.js";
import { adminLogin, logout, refresh } from "./traffic-sessions.js";
import { walletSignIn } from "./traffic-wallets.js";

const MIX: readonly (readonly [Action, number])[] = [
  ["wallet sign-in", 18],
  ["admin login", 4],
  ["refresh", 20],
  ["profile", 35],
  ["logout", 5],
  ["garbage", 18],
];

export function pickAction(): Action {
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [action, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return "profile";
}

/** Runs (and counts) one action; those on a session do something else while no session is free. */
export async function runAction(traffic: Traffic, action: Action): Promise<void> {
  traffic.actions.set(action, (traffic.actions.get(action) ?? 0) + 1);
  switch (action) {
    case "wallet sign-in":
      return walletSignIn(traffic);
    case "admin login":
      return adminLogin(traffic);
    case "refresh": {
      const session = traffic.pick();
      return session ? refresh(traffic, session) : runAction(traffic, "admin login");
    }
    case "profile": {
      const session = traffic.pick();
      return session ? profile(traffic, session) : runAction(traffic, "wallet sign-in");
    }
    case "logout": {
      const session = traffic.pick();
      return session ? logout(traffic, session) : undefined;
    }
    case "garbage":
      return garbage(traffic);
  }
}

/**
 * `concurrency` workers, each running one action after another until the deadline (a
 * performance.now() time), the request budget or the first harness error; answers the harness errors.
 */
export async function runWorkers(traffic: Traffic, concurrency: number, deadline: number): Promise<string[]> {
  const harnessErrors: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline && traffic.budgetLeft && harnessErrors.length === 0) {
        try {
          await runAction(traffic, pickAction());
        } catch (error) {
          harnessErrors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return harnessErrors;
}

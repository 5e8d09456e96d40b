import { call, json } from "./http.js";
import type { Endpoint } from "./http.js";
import type { Traffic } from "./traffic.js";
import { challengeBody, newWallet, signInFields } from "../bench/lib/wallets.js";

export interface ApiCheck {
  refreshed: number;
  revokedRefused: number;
  walletsSignedIn: number;
  impostorsRefused: number;
  lost: string[];
}

/** After a restart on the same data dir: live sessions refresh, ended ones stay ended, bindings hold. */
export async function checkThroughApi(server: Endpoint, traffic: Pick<Traffic, "sessions" | "bindings">, concurrency: number): Promise<ApiCheck> {
  const result: ApiCheck = { refreshed: 0, revokedRefused: 0, walletsSignedIn: 0, impostorsRefused: 0, lost: [] };
  const tasks: (() => Promise<void>)[] = [];
  for (const session of traffic.sessions.values()) {
    tasks.push(async () => {
      const answer = await call(server, "POST", "/api/v1/auth/refresh", json({ refresh_token: session.refresh }));
      if (!session.ended && answer.status === 200) result.refreshed++;
      else if (session.ended && answer.status === 401 && answer.json().detail === "session revoked; sign in again") result.revokedRefused++;
      else result.lost.push(`after the restart, refreshing ${session.ended ? "ended" : "live"} session ${session.sid}: ${answer.status} ${answer.body.slice(0, 120)}`);
    });
  }
  for (const wallet of traffic.bindings.values()) {
    tasks.push(async () => {
      // The bound key still signs in; another key for the same address is refused.
      for (const [signer, impostor] of [[wallet, false], [{ ...newWallet(wallet.algorithm), address: wallet.address }, true]] as const) {
        const issued = await call(server, "POST", "/api/v1/auth/challenge", json(challengeBody(wallet)));
        if (issued.status !== 200) {
          result.lost.push(`after the restart, a challenge for ${wallet.address}: ${issued.status}`);
          return;
        }
        const { challenge, message } = issued.json<{ challenge: string; message: string }>();
        const answer = await call(server, "POST", "/api/v1/auth/sign-in", json(signInFields(signer, challenge, signer.sign(message))));
        if (!impostor && answer.status === 200) result.walletsSignedIn++;
        else if (impostor && answer.status === 401 && answer.json().detail === "address is bound to a different key") result.impostorsRefused++;
        else result.lost.push(`after the restart, ${impostor ? "another key" : "the bound key"} for ${wallet.address}: ${answer.status} ${answer.body.slice(0, 120)}`);
      }
    });
  }
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  }));
  return result;
}

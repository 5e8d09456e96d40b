import { rateLimited } from "../errors.js";
import type { AuthEvents, ThrottledRoute } from "../events/auth-events.js";
import type { WindowCounter } from "./window-counter.js";

/** Counts one request of `client` on `route` against `quota`; past it, the `auth.throttled` event and a 429 with Retry-After and `detail`. */
export async function chargeClient(quota: WindowCounter, client: string, route: ThrottledRoute, events: AuthEvents, detail: string): Promise<void> {
  const { retryAfter } = await quota.hit(client);
  if (retryAfter === 0) return;
  events.throttled(route, client, retryAfter);
  throw rateLimited(retryAfter, detail);
}

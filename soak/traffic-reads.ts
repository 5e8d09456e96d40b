import type { Session, Traffic } from "./traffic.js";

/** A read with the session's access token: the profile must be the session's subject's. */
export async function profile(traffic: Traffic, session: Session): Promise<void> {
  session.busy = true;
  try {
    const answer = await traffic.send("GET", "/api/profile", { headers: { authorization: `Bearer ${session.access}` } });
    if (traffic.expect(answer, [200], "profile") && answer.json().subject !== session.sub) traffic.unexpected.push(`profile of ${session.sub} answered ${answer.body.slice(0, 100)}`);
  } finally {
    session.busy = false;
  }
}

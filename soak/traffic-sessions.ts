/** The admin's logins, and the refreshes and logouts of the sessions the traffic created. */
import { json } from "./http.js";
import { ADMIN_EMAIL } from "./server.js";
import { claimsOf, hashOf } from "./traffic.js";
import type { Session, Tokens, Traffic } from "./traffic.js";

export async function adminLogin(traffic: Traffic): Promise<void> {
  const answer = await traffic.send("POST", "/api/v1/auth/login", json({ email: Math.random() < 0.5 ? ADMIN_EMAIL : ADMIN_EMAIL.toUpperCase(), password: traffic.adminPassword }));
  if (traffic.expect(answer, [200], "login")) traffic.record(answer.json<Tokens>(), "admin");
}

export async function refresh(traffic: Traffic, session: Session): Promise<void> {
  session.busy = true;
  try {
    const answer = await traffic.send("POST", "/api/v1/auth/refresh", json({ refresh_token: session.refresh }));
    if (!traffic.expect(answer, [200], "refresh")) return;
    const tokens = answer.json<Tokens>();
    // The refresh token is opaque: the new access token names the session.
    const claims = claimsOf(tokens.access_token);
    if (claims.sid !== session.sid) traffic.unexpected.push(`refresh of ${session.sid} answered tokens of ${String(claims.sid)}`);
    Object.assign(session, { access: tokens.access_token, refresh: tokens.refresh_token, refreshHash: hashOf(tokens.refresh_token) });
  } finally {
    session.busy = false;
  }
}

export async function logout(traffic: Traffic, session: Session): Promise<void> {
  session.busy = true;
  try {
    const byBearer = Math.random() < 0.5;
    const answer = byBearer
      ? await traffic.send("POST", "/api/v1/auth/logout", { headers: { authorization: `Bearer ${session.access}` } })
      : await traffic.send("POST", "/api/v1/auth/logout", json({ refresh_token: session.refresh }));
    if (traffic.expect(answer, [204], `logout (${byBearer ? "bearer" : "refresh token"})`)) session.ended = true;
    // Its access token is refused from now on.
    if (session.ended) traffic.expect(await traffic.send("GET", "/api/profile", { headers: { authorization: `Bearer ${session.access}` } }), [401], "profile after logout");
  } finally {
    session.busy = false;
  }
}

import { randomBytes } from "node:crypto";
import { json } from "./http.js";
import type { Answer } from "./http.js";
import type { Traffic } from "./traffic.js";

/** A request the server must refuse, one kind at random, with the status it must answer and a JSON detail. */
export async function garbage(traffic: Traffic): Promise<void> {
  const ended = [...traffic.sessions.values()].find((s) => s.ended);
  const cases: [string, () => Promise<Answer>, number[]][] = [
    ["malformed JSON", () => traffic.send("POST", "/api/v1/auth/sign-in", { body: '{"address":', headers: { "content-type": "application/json" } }), [400]],
    ["JSON array body", () => traffic.send("POST", "/api/v1/auth/refresh", json([1, 2, 3])), [400]],
    ["wrong content type", () => traffic.send("POST", "/api/v1/auth/login", { body: "email=a&password=b", headers: { "content-type": "application/x-www-form-urlencoded" } }), [415]],
    ["no content type", () => traffic.send("POST", "/api/v1/auth/challenge", { body: '{"address":"0xabc"}' }), [415]],
    ["empty body", () => traffic.send("POST", "/api/v1/auth/challenge", { body: "", headers: { "content-type": "application/json" } }), [400]],
    ["bad address", () => traffic.send("POST", "/api/v1/auth/challenge", json({ address: "@@@" })), [400]],
    ["sign-in, bad hex", () => traffic.send("POST", "/api/v1/auth/sign-in", json({ address: "0xabc", public_key: "zz", signature: "00", challenge: "00", algorithm: "Ed25519" })), [400]],
    ["sign-in, unknown challenge", () => traffic.send("POST", "/api/v1/auth/sign-in", json({ address: "0xabc", public_key: "00".repeat(32), signature: "00".repeat(64), challenge: "0".repeat(64), algorithm: "Ed25519" })), [401]],
    ["login, wrong types", () => traffic.send("POST", "/api/v1/auth/login", json({ email: 42, password: ["x"] })), [401]],
    ["refresh, garbage token", () => traffic.send("POST", "/api/v1/auth/refresh", json({ refresh_token: "eyJhbGciOiJub25lIn0.e30." })), [401]],
    ["refresh, access token", () => traffic.send("POST", "/api/v1/auth/refresh", json({ refresh_token: [...traffic.sessions.values()][0]?.access ?? "x.y.z" })), [401]],
    ["bad bearer", () => traffic.send("GET", "/api/profile", { headers: { authorization: `Bearer ${randomBytes(30).toString("base64url")}.${randomBytes(30).toString("base64url")}.${randomBytes(30).toString("base64url")}` } }), [401]],
    ["no bearer", () => traffic.send("GET", "/api/profile"), [401]],
    ["basic auth", () => traffic.send("GET", "/api/profile", { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } }), [401]],
    ["wallet token on the admin route", () => traffic.send("GET", "/api/admin/dashboard", { headers: { authorization: `Bearer ${[...traffic.sessions.values()].find((s) => s.role === "wallet" && !s.ended)?.access ?? "x"}` } }), [401, 403]],
    ["logout, no token", () => traffic.send("POST", "/api/v1/auth/logout"), [400]],
    ["unknown path", () => traffic.send("GET", "/api/v1/auth/nope"), [404]],
    ["wrong method", () => traffic.send("DELETE", "/api/v1/auth/login"), [405]],
    ["body over the limit", () => traffic.send("POST", "/api/v1/auth/challenge", { body: Buffer.alloc(1_100_000, 0x20), headers: { "content-type": "application/json" } }), [413]],
    ["revoked session's refresh token", () => traffic.send("POST", "/api/v1/auth/refresh", json({ refresh_token: ended?.refresh ?? "x" })), [401]],
  ];
  const [kind, send, statuses] = cases[Math.floor(Math.random() * cases.length)] as (typeof cases)[number];
  traffic.garbageKinds.set(kind, (traffic.garbageKinds.get(kind) ?? 0) + 1);
  const answer = await send();
  if (traffic.expect(answer, statuses, `garbage: ${kind}`)) {
    let detail: unknown;
    try {
      detail = answer.json().detail;
    } catch {
      detail = undefined;
    }
    if (detail === undefined) traffic.unexpected.push(`garbage: ${kind}: ${answer.status} without a JSON detail: ${answer.body.slice(0, 100)}`);
  }
}

/**
 * The verification reference: bare Hono + jose doing what pico-client-auth does on a cache miss, and
 * nothing more. The key set is the seed app's JWKS, fetched once at start (`JWKS_URL`); each request
 * is `jwtVerify` with the algorithms taken from the JWKs' `alg`, exact `iss` and `aud`, `exp` required,
 * 5 s leeway (pico-client-auth's default). No token cache, no revocation check.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createLocalJWKSet, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";

const { JWKS_URL, ISSUER, AUDIENCE } = process.env;
if (!JWKS_URL || !ISSUER || !AUDIENCE) throw new Error("JWKS_URL, ISSUER and AUDIENCE are required");

const jwks = (await (await fetch(JWKS_URL)).json()) as JSONWebKeySet;
const algorithms = [...new Set(jwks.keys.map((k) => k.alg).filter((a): a is string => typeof a === "string"))];
if (algorithms.length === 0) throw new Error(`no alg in the key set at ${JWKS_URL}`);
const getKey = createLocalJWKSet(jwks);
const options = { algorithms, issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["exp"], clockTolerance: 5 };

const app = new Hono();
app.get("/hello", (c) => c.json({ hello: "world" }));
app.get("/api/profile", async (c) => {
  const token = /^Bearer +(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!token) return c.json({ detail: "Missing or invalid Authorization header" }, 401);
  try {
    const { payload } = await jwtVerify(token, getKey, options);
    return c.json({ subject: payload.sub, role: payload.role });
  } catch {
    return c.json({ detail: "Invalid token" }, 401);
  }
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

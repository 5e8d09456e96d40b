import { beforeAll, describe, expect, it } from "vitest";
import { HTTPException, controller, get, post } from "pico-hono";
import { SecurityContext, allowAnonymous, requiresGroup, requiresRole, requiresScope } from "../src/index.js";
import { authApp, bearer } from "./app.js";
import { defaultClaims, rsaKey, sign, staticKeySource } from "./support/tokens.js";

@controller({ prefix: "/api", tags: ["API"] })
class ApiController {
  @get("/profile")
  profile() {
    const { claims, roles } = SecurityContext.current();
    return { subject: claims.sub, role: claims.role, roles };
  }

  @requiresRole("admin", "editor")
  @get("/admin")
  admin() {
    return "admin";
  }

  @get("/team")
  @requiresGroup("team-alpha")
  team() {
    return "team";
  }

  @requiresScope("billing:read")
  @get("/billing")
  billing() {
    return SecurityContext.current().scopes;
  }

  @allowAnonymous
  @get("/public")
  public() {
    return { identity: SecurityContext.tryCurrent()?.claims.sub ?? null };
  }

  @post("/conflict")
  conflict() {
    throw new HTTPException(409, "Already there");
  }

  @get("/require-editor")
  requireEditor() {
    SecurityContext.current().requireRole("editor");
    return "ok";
  }
}

let key: Awaited<ReturnType<typeof rsaKey>>;
let other: Awaited<ReturnType<typeof rsaKey>>;
beforeAll(async () => {
  key = await rsaKey("k1");
  other = await rsaKey("k1");
});

const app = () => authApp([ApiController], staticKeySource([key.jwk]));
const token = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => sign(key, defaultClaims(claims), header);

async function call(path: string, init?: RequestInit, application = app()) {
  const res = await application.request(path, init);
  return { status: res.status, body: (await res.json()) as unknown, challenge: res.headers.get("www-authenticate") };
}

describe("the guard's response table", () => {
  it("401 without a bearer token, with an RFC 6750 challenge", async () => {
    for (const init of [undefined, { headers: { authorization: "Basic dXNlcjpwdw==" } }, { headers: { authorization: "Bearer" } }]) {
      expect(await call("/api/profile", init)).toEqual({ status: 401, body: { detail: "Missing or invalid Authorization header" }, challenge: 'Bearer realm="api"' });
    }
  });

  it("200 with a valid token; the scheme is case-insensitive and trimmed", async () => {
    expect(await call("/api/profile", bearer(await token()))).toMatchObject({ status: 200, body: { subject: "user-123", role: "admin", roles: ["admin"] } });
    expect((await call("/api/profile", { headers: { authorization: `  bearer   ${await token()} ` } })).status).toBe(200);
  });

  it("401 for expired, symmetric, unaccepted, badly signed and refresh tokens", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string][] = [
      [await token({ exp: now - 60 }), "Token has expired"],
      [await sign(other, defaultClaims()), "Invalid token: signature verification failed"],
      [await token({ type: "refresh" }), "Invalid token: refresh tokens are not accepted here"],
      [await token({ iss: "https://evil.example.com" }), "Invalid token: issuer mismatch"],
      [await token({ aud: "other-api" }), "Invalid token: audience mismatch"],
      [`${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.c2ln`, "Symmetric algorithm 'HS256' is not permitted"],
      [`${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`, "Algorithm 'none' is not accepted"],
      ["not-a-jwt", "Invalid token: malformed"],
    ];
    for (const [bad, detail] of cases) {
      const result = await call("/api/profile", bearer(bad));
      expect(result, detail).toEqual({ status: 401, body: { detail }, challenge: `Bearer realm="api", error="invalid_token", error_description="${detail}"` });
    }
  });

  it("403 for a missing role, group or scope; 200 when one of them is held", async () => {
    expect(await call("/api/admin", bearer(await token({ role: "viewer" })))).toMatchObject({ status: 403, body: { detail: "Requires one of roles: ['admin', 'editor']" } });
    expect((await call("/api/admin", bearer(await token({ role: "viewer", roles: ["editor"] })))).status).toBe(200);
    expect(await call("/api/team", bearer(await token({ groups: ["team-beta"] })))).toMatchObject({ status: 403, body: { detail: "Requires one of groups: ['team-alpha']" } });
    // A string is one group (names may contain spaces); anything but strings is a 401.
    expect((await call("/api/team", bearer(await token({ groups: "team-alpha" })))).status).toBe(200);
    expect(await call("/api/team", bearer(await token({ groups: { team: "team-alpha" } })))).toMatchObject({ status: 401, body: { detail: 'Invalid token: "groups" claim must be a string or an array of strings' } });
    expect((await call("/api/team", bearer(await token({ groups: ["team-alpha"] })))).status).toBe(200);
    const noScope = await call("/api/billing", bearer(await token({ scope: "billing:write" })));
    expect(noScope).toEqual({
      status: 403,
      body: { detail: "Missing required scope; required one of: ['billing:read']" },
      challenge: `Bearer realm="api", error="insufficient_scope", error_description="Missing required scope; required one of: ['billing:read']"`,
    });
    expect(await call("/api/billing", bearer(await token({ scope: "profile billing:*" })))).toEqual({ status: 200, body: ["profile", "billing:*"], challenge: null });
    expect((await call("/api/billing", bearer(await token({ scopes: ["*"] })))).status).toBe(200);
  });

  it("handler errors keep their own status; requireRole in a handler is a 403", async () => {
    expect(await call("/api/conflict", { method: "POST", ...bearer(await token()) })).toMatchObject({ status: 409, body: { detail: "Already there" } });
    expect(await call("/api/require-editor", bearer(await token()))).toMatchObject({ status: 403, body: { detail: "Requires one of roles: ['editor']" } });
  });

  it("anonymous routes read no token at all, not even a broken one", async () => {
    expect(await call("/api/public")).toMatchObject({ status: 200, body: { identity: null } });
    expect(await call("/api/public", bearer("garbage"))).toMatchObject({ status: 200, body: { identity: null } });
  });

  it("unknown paths stay 404 and wrong methods 405; the API docs stay public and show who needs a token", async () => {
    expect(await call("/api/nowhere")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
    expect(await call("/api/profile", { method: "DELETE" })).toMatchObject({ status: 405 });
    const application = app();
    expect((await application.request("/docs")).status).toBe(200);
    const document = (await (await application.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
      components: { securitySchemes: unknown };
    };
    expect(document.components.securitySchemes).toEqual({ bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } });
    expect(document.paths["/api/profile"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(document.paths["/api/admin"]?.get?.responses ?? {})).toEqual(["200", "401", "403"]);
    // Anonymous: an explicit "no credentials", which linters (Redocly's security-defined) and docs UIs read.
    expect(document.paths["/api/public"]?.get?.security).toEqual([]);
  });
});

describe("SecurityContext", () => {
  it("never leaks between 100 concurrent requests", async () => {
    @controller()
    class Slow {
      @get("/whoami")
      async whoami() {
        const before = SecurityContext.current().claims.sub;
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        return { before, after: SecurityContext.current().claims.sub };
      }
    }
    const application = authApp([Slow], staticKeySource([key.jwk]));
    const subjects = Array.from({ length: 100 }, (_, i) => `user-${i}`);
    const tokens = await Promise.all(subjects.map((sub) => sign(key, defaultClaims({ sub }))));
    const results = await Promise.all(tokens.map(async (t) => (await application.request("/whoami", bearer(t))).json()));
    expect(results).toEqual(subjects.map((sub) => ({ before: sub, after: sub })));
    expect(SecurityContext.tryCurrent()).toBeUndefined();
  });

  it("current() outside a request is a 401 error; tryCurrent() is undefined", () => {
    expect(() => SecurityContext.current()).toThrow(expect.objectContaining({ status: 401, code: "MISSING_TOKEN" }));
    expect(SecurityContext.tryCurrent()).toBeUndefined();
  });
});

describe("hardening", () => {
  it("claims are deeply frozen: a handler cannot grant a cached token more roles", async () => {
    @controller()
    class Tamper {
      @get("/tamper")
      tamper() {
        const roles = SecurityContext.current().claims.roles as string[];
        let mutated = true;
        try {
          roles.push("admin");
        } catch {
          mutated = false;
        }
        return { mutated, roles: SecurityContext.current().roles };
      }
    }
    const application = authApp([Tamper], staticKeySource([key.jwk]));
    const viewer = bearer(await token({ role: undefined, roles: ["viewer"] }));
    expect(await (await application.request("/tamper", viewer)).json()).toEqual({ mutated: false, roles: ["viewer"] });
    expect(await (await application.request("/tamper", viewer)).json()).toEqual({ mutated: false, roles: ["viewer"] });
  });

  it("garbage is a 401 even while the key source is down", async () => {
    const down = { getKeySet: async () => Promise.reject(new Error("must not be asked")) };
    const application = authApp([ApiController], down);
    for (const bad of ["garbage", "a.b.c", `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.e30.c2ln`]) {
      expect((await application.request("/api/profile", bearer(bad))).status).toBe(401);
    }
  });
});

/**
 * Access tokens as six identity providers shape them (header `typ`, signing key, claims), for the
 * stand-in IdP. Values are made up; names, types and nesting are the providers' own (see
 * /work/shared/reference/interop.md and docs/interop.md).
 * @module
 */
import { randomUUID } from "node:crypto";
import type { IdpKeyName } from "./idp-keys.js";

export type IdpShape = "auth0" | "okta" | "keycloak" | "entra" | "duende" | "google";

export const IDP_SHAPES: readonly IdpShape[] = ["auth0", "okta", "keycloak", "entra", "duende", "google"];

export interface ShapedToken {
  /** The protected header without `alg` and `kid` (the key adds those). */
  readonly header: Record<string, unknown>;
  readonly key: IdpKeyName;
  readonly claims: Record<string, unknown>;
}

export interface ShapeContext {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly now: number;
}

/** The namespaced claim Auth0 puts roles in (an Action adds it; the namespace is the tenant's choice). */
export const AUTH0_ROLES_CLAIM = "https://example.com/roles";
/** The custom claim an Okta authorization server is set up to put roles in. */
export const OKTA_ROLES_CLAIM = "app_roles";

/** The claims and header `shape`'s provider puts in an access token for `ctx.audience`. */
export function shapedToken(shape: IdpShape, { issuer, audience, now }: ShapeContext): ShapedToken {
  const times = { iat: now, exp: now + 3600 };
  switch (shape) {
    case "auth0":
      return {
        header: { typ: "JWT" },
        key: "rsa",
        claims: {
          [AUTH0_ROLES_CLAIM]: ["admin", "editor"],
          iss: issuer,
          sub: "auth0|64f0c2a1b2c3d4e5f6a7b8c9",
          aud: [audience, `${issuer}/userinfo`],
          ...times,
          azp: "Xk3bQ9cZ1pLw7sV2nR8tY4uE6oA0dM5f",
          scope: "openid profile email read:messages",
          permissions: ["read:messages", "write:messages"],
        },
      };
    case "okta":
      // Okta's default authorization server leaves `typ` out.
      return {
        header: {},
        key: "rsa",
        claims: {
          ver: 1,
          jti: `AT.${randomUUID()}`,
          iss: issuer,
          aud: audience,
          ...times,
          cid: "0oa1b2c3d4e5f6g7h8i9",
          uid: "00u1a2b3c4d5e6f7g8h9",
          scp: ["openid", "profile", "orders:read"],
          auth_time: now - 60,
          sub: "alice@example.com",
          groups: ["Everyone", "Admins"],
          [OKTA_ROLES_CLAIM]: ["admin"],
        },
      };
    case "keycloak":
      return {
        header: { typ: "JWT" },
        key: "rsa",
        claims: {
          ...times,
          auth_time: now - 60,
          jti: randomUUID(),
          iss: issuer,
          aud: [audience, "account"],
          sub: "f3b4c5d6-7e8f-4a1b-9c2d-3e4f5a6b7c8d",
          // Keycloak's own payload claim, not the header's.
          typ: "Bearer",
          azp: "web-app",
          sid: randomUUID(),
          acr: "1",
          realm_access: { roles: ["offline_access", "uma_authorization", "admin"] },
          resource_access: { [audience]: { roles: ["orders-reader"] }, account: { roles: ["manage-account", "view-profile"] } },
          scope: "openid email profile",
          email_verified: true,
          preferred_username: "alice",
          groups: ["/engineering/backend", "/ops"],
        },
      };
    case "entra":
      // v2.0 access token: keys published without `alg`, the certificate thumbprint in the header too.
      return {
        header: { typ: "JWT" },
        key: "rsa-no-alg",
        claims: {
          aud: audience,
          iss: issuer,
          iat: now,
          nbf: now,
          exp: now + 3600,
          aio: "AWQAm/8TAAAA",
          azp: "6e74172b-be56-4843-9ff4-e66a39bb12e3",
          azpacr: "0",
          name: "Alice Example",
          oid: "690222be-ff1a-4d56-abd1-7e4f7d38e474",
          preferred_username: "alice@contoso.example",
          rh: "0.AAAA",
          roles: ["Orders.Admin"],
          scp: "access_as_user Files.Read",
          sub: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
          tid: "72f988bf-86f1-41af-91ab-2d7cd011db47",
          uti: "fqiBqXLPj0eQa82S-IYFAA",
          ver: "2.0",
          groups: ["c0ffee00-1111-4222-8333-444455556666"],
        },
      };
    case "duende":
      return {
        header: { typ: "at+jwt" },
        key: "rsa",
        claims: {
          iss: issuer,
          nbf: now,
          ...times,
          aud: audience,
          scope: ["openid", "api1", "api1.read"],
          amr: ["pwd"],
          client_id: "interactive",
          sub: "818727",
          auth_time: now - 60,
          idp: "local",
          role: ["admin", "user"],
          jti: randomUUID().replaceAll("-", "").toUpperCase(),
          sid: randomUUID().replaceAll("-", "").toUpperCase(),
        },
      };
    case "google":
      return {
        header: { typ: "JWT" },
        key: "rsa",
        claims: {
          iss: issuer,
          azp: "1234987819200.apps.googleusercontent.com",
          aud: audience,
          sub: "110169484474386276334",
          email: "alice@example.com",
          email_verified: true,
          at_hash: "X_B3Z3Fi4udZ2mf75RWo3w",
          ...times,
        },
      };
  }
}

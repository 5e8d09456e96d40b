/**
 * The claim-mapping configuration of each identity provider. docs/claim-mapping.md quotes these
 * blocks as `doc:excerpt`s (the docs test fails when the page and this file differ), and
 * test/idp-shapes.test.ts boots the guard with each one against tokens shaped as that provider sends them.
 */
import type { SettingsSection } from "pico-ioc";
import type { AuthClientSettings } from "../../src/index.js";

type Config = { readonly auth_client: SettingsSection<AuthClientSettings> };

export const auth0 = {
  auth_client: {
    issuer: "https://example.eu.auth0.com/",
    audience: "https://api.example.com",
    // The namespaced claim a post-login Action adds: event.authorization.roles.
    role_claims: ["https://example.com/roles"],
    // OAuth scopes, plus the API's RBAC permissions ("Add Permissions in the Access Token").
    scope_claims: ["scope", "permissions"],
  },
} as const satisfies Config;

export const okta = {
  auth_client: {
    issuer: "https://example.okta.com/oauth2/default",
    audience: "api://default",
    // A custom claim of the authorization server (Security > API > Claims), value: an array of roles.
    role_claims: ["roles"],
    group_claims: ["groups"],
    scope_claims: ["scp"],
  },
} as const satisfies Config;

export const keycloak = {
  auth_client: {
    issuer: "https://sso.example.com/realms/acme",
    audience: "my-api",
    // Realm roles, then the roles of this API's own client.
    role_claims: ["realm_access.roles", "resource_access.my-api.roles"],
    // The "Group Membership" mapper with "Full group path" on sends "/acme/engineering".
    group_claims: ["groups"],
    group_match: "last_segment",
    scope_claims: ["scope"],
  },
} as const satisfies Config;

export const entra = {
  auth_client: {
    issuer: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    audience: "api://my-api",
    // App roles; group object ids (the "groups" optional claim) stay in the default group_claims.
    role_claims: ["roles"],
    scope_claims: ["scp"],
  },
} as const satisfies Config;

export const identityServer = {
  auth_client: {
    issuer: "https://identity.example.com",
    audience: "my-api",
    // "role" is a string for one role and an array for several: both are read.
    role_claims: ["role"],
    scope_claims: ["scope"],
  },
} as const satisfies Config;

export const google = {
  auth_client: {
    issuer: "https://accounts.google.com",
    audience: "1234567890-abc.apps.googleusercontent.com",
    // Google ID tokens carry no roles, groups or scopes: authentication only.
    role_claims: [],
    group_claims: [],
    scope_claims: [],
  },
} as const satisfies Config;

/**
 * pico-client-auth: bearer-token validation for pico apps. Loaded as a module, it protects every route
 * that is not `@allowAnonymous`.
 * @module
 */
export { AuthClientSettings, agentAudienceOf, jwksUrlOf } from "./settings.js";
export { allowAnonymous, requiresRole, requiresGroup, requiresScope, requiresAgentScope } from "./guard/decorators.js";
export { SecurityContext } from "./security-context.js";
export { AgentContext } from "./agent/agent-context.js";
export { ROLE_RESOLVER, DefaultRoleResolver } from "./guard/role-resolver.js";
export { scopeGranted, anyScopeGranted } from "./guard/scopes.js";
export { claimMappingOf } from "./token/claim-paths.js";
export { AuthWebExtension } from "./guard/auth-extension.js";
export { TokenVerifier } from "./token/token-verifier.js";
export { KEY_SOURCE, LOCAL_JWKS } from "./keys/key-source.js";
export { DefaultKeySource } from "./keys/default-key-source.js";
export { RemoteJwks } from "./keys/remote-jwks.js";
export { IssuerDiscovery, DiscoveryError } from "./keys/discovery.js";
export { REVOCATION_CHECK, LOCAL_REVOCATIONS } from "./revocation/revocation-check.js";
export { DefaultRevocationCheck, NO_REVOCATION_CHECK } from "./revocation/default-revocation-check.js";
export { RemoteRevocations } from "./revocation/remote-revocations.js";
export { JwksReadiness } from "./health/jwks-readiness.js";
export { AuthClientError, AuthConfigurationError } from "./errors.js";

export type { TokenClaims } from "./token/claims.js";
export type { ActorClaim, AgentClaims } from "./agent/agent-claims.js";
export type { ClaimMapping, ClaimMappingSettings, GroupMatch, MappedClaims } from "./token/claim-paths.js";
export type { RoleResolver } from "./guard/role-resolver.js";
export type { KeySet, KeySource, LocalJwks } from "./keys/key-source.js";
export type { JwksLocation, RemoteJwksOptions } from "./keys/remote-jwks.js";
export type { DiscoveryFailure, DiscoverySource, IssuerDiscoveryOptions } from "./keys/discovery.js";
export type { LocalRevocations, RevocationCheck, RevocationStatus } from "./revocation/revocation-check.js";
export type { RemoteRevocationsOptions } from "./revocation/remote-revocations.js";
export type { AuthClientErrorCode } from "./errors.js";

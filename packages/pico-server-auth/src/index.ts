/**
 * pico-server-auth: an embeddable auth server. Load it as a module; its routes live under /api/v1/auth.
 * @module
 */
export { ServerAuthSettings } from "./settings.js";
export { ServerAuthSettingsCheck, checkServerAuthSettings } from "./config/settings-check.js";
export { OWASP_ARGON2ID } from "./config/argon2-policy.js";
export { adminPasswordWeakness } from "./config/password-policy.js";
export { AuthController } from "./auth-controller.js";
export { SessionController } from "./session-controller.js";
export { AdminController } from "./admin/admin-controller.js";
export { TokenController } from "./agents/token-controller.js";
export { TokenExchange } from "./agents/token-exchange.js";
export { OAuthError } from "./agents/oauth-error.js";
export { AdminBearer } from "./admin/admin-bearer.js";
export { JwksController } from "./discovery/jwks-controller.js";
export { DiscoveryController } from "./discovery/discovery-controller.js";
export { SigningKeys } from "./keys/signing-keys.js";
export { JWKS_PATH, JWKS_ALL_PATH, JWKS_ML_DSA_PATH, TOKEN_PATH, TOKEN_EXCHANGE_GRANT, OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH } from "./endpoints.js";
export { KEY_ENCRYPTION } from "./keys/key-encryption.js";
export { AesKeyEncryption } from "./keys/aes-key-encryption.js";
export { KeyEncryptionNotice, KEY_ENCRYPTION_EVENT } from "./keys/key-encryption-notice.js";
export { KeyEncryptionError } from "./keys/key-encryption-error.js";
export { Sessions } from "./sessions/sessions.js";
export { RevocationList } from "./sessions/revocation-list.js";
export { CHANGE_SIGNAL } from "./sync/change-signal.js";
export { CREDENTIAL_STAMPS, SessionStamps } from "./sessions/credential-stamps.js";
export { AdminSessionStamp } from "./sessions/admin-session-stamp.js";
export { WalletSessionStamp, walletKeyStamp } from "./sessions/wallet-session-stamp.js";
export { SIGNING_KEY_STORE } from "./keys/signing-key-store.js";
export { BINDING_STORE } from "./bindings/binding-store.js";
export { SESSION_STORE } from "./sessions/session-store.js";
export { REVOCATION_STORE } from "./sessions/revocation-store.js";
export { ADMIN_CREDENTIAL_STORE } from "./login/admin-credential-store.js";
export { DURABLE_STATE } from "./state/durable-state.js";
export {
  DurableStateProvider,
  SigningKeyStoreProvider,
  BindingStoreProvider,
  SessionStoreProvider,
  RevocationStoreProvider,
  AdminCredentialStoreProvider,
} from "./state/providers.js";
export { InMemoryAuthStore, memoryState } from "./store/memory-store.js";
export { AdminLogin } from "./login/admin-login.js";
export { CHALLENGE_STORE, InMemoryChallengeStore } from "./challenge/challenge-store.js";
export { RATE_LIMIT_STORE } from "./limits/rate-limit-store.js";
export { InMemoryRateLimitStore } from "./limits/memory-rate-limit-store.js";
export { FAST_STATE } from "./state/fast-state.js";
export { ChallengeStoreProvider, FastStateProvider, RateLimitStoreProvider } from "./state/fast-state-provider.js";
export { ChangeSignalProvider } from "./sync/change-signal-provider.js";
export { NoChangeSignal, noSignal } from "./sync/no-signal.js";
export { ADDRESS_BINDINGS, DefaultAddressBindings } from "./bindings/address-bindings.js";
export { WALLET_ALGORITHMS, isWalletAlgorithm } from "./wallet/algorithms.js";
export { loadMlDsaVerifier, verifyWalletSignature } from "./wallet/verify-signature.js";
export { WalletSignIn } from "./wallet/wallet-sign-in.js";
export { verifyMessageSignature } from "./wallet/message-signature.js";
export { SignInSite } from "./wallet/sign-in-site.js";
export { deriveAddress, parseAddress } from "./wallet/address.js";
export { checksumAddress, personalSignDigest } from "./wallet/ethereum.js";
export { AuthEvents, AUTH_EVENT, THROTTLED_ROUTE } from "./events/auth-events.js";
export { ServerAuthError, ServerAuthConfigurationError, CredentialRefusedError, StoreLostError, StoreUnavailableError } from "./errors.js";
export { StoreReadiness } from "./health/store-readiness.js";
export { SigningKeyReadiness } from "./health/signing-key-readiness.js";
export { SharedStateReadiness } from "./health/shared-state-readiness.js";

export type { ChallengeRequest, ChallengeStore, PendingChallenge } from "./challenge/challenge-store.js";
export type { RateLimitStore, WindowCount } from "./limits/rate-limit-store.js";
export type { FastState } from "./state/fast-state.js";
export type { AddressBinding } from "./bindings/binding-store.js";
export type { AddressBindings, Claim, MoveOutcome, SignerKey } from "./bindings/address-bindings.js";
export type { IssuedTokens } from "./sessions/sessions.js";
export type { CredentialStamp } from "./sessions/credential-stamps.js";
export type { SessionTokenClaims } from "./sessions/verified-token.js";
export type { Jwks, PublishedKeys } from "./keys/published-keys.js";
export type { OAuthMetadata, ServerMetadata } from "./discovery/metadata.js";
export type { MlDsaJwks } from "./discovery/ml-dsa-jwks.js";
export type { SigningKeyStore, StoredSigningKey } from "./keys/signing-key-store.js";
export type { BindingStore } from "./bindings/binding-store.js";
export type { IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, SessionStore } from "./sessions/session-store.js";
export type { RevocationChanges, RevocationStore } from "./sessions/revocation-store.js";
export type { AdminCredential, AdminCredentialStore } from "./login/admin-credential-store.js";
export type { DurableState } from "./state/durable-state.js";
export type { ChangeSignal, ChangeTopic } from "./sync/change-signal.js";
export type { WalletAlgorithm } from "./wallet/algorithms.js";
export type { KeyEncryption } from "./keys/key-encryption.js";
export type { ServerAuthErrorCode, SignInFailureReason } from "./errors.js";
export type { IssuedAgentToken } from "./agents/token-exchange.js";
export type { OAuthErrorCode } from "./agents/oauth-error.js";
export type { ActorClaim } from "./agents/subject-token.js";
export type { AgentDelegation, SessionRef, SessionRevocationReason, SignInAttempt, SignInRoute, ThrottledRoute } from "./events/auth-events.js";

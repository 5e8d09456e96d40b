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
export { AdminBearer } from "./admin/admin-bearer.js";
export { SigningKeys, JWKS_PATH } from "./keys/signing-keys.js";
export { KEY_ENCRYPTION } from "./keys/key-encryption.js";
export { AesKeyEncryption } from "./keys/aes-key-encryption.js";
export { KeyEncryptionNotice, KEY_ENCRYPTION_EVENT } from "./keys/key-encryption-notice.js";
export { KeyEncryptionError } from "./keys/key-encryption-error.js";
export { Sessions } from "./sessions/sessions.js";
export { RevocationList } from "./sessions/revocation-list.js";
export { CREDENTIAL_STAMPS, SessionStamps } from "./sessions/credential-stamps.js";
export { AdminSessionStamp } from "./sessions/admin-session-stamp.js";
export { WalletSessionStamp, walletKeyStamp } from "./sessions/wallet-session-stamp.js";
export { AUTH_STORE } from "./store/auth-store.js";
export { ConfiguredAuthStore } from "./store/configured-store.js";
export { InMemoryAuthStore } from "./store/memory-store.js";
export { AdminLogin } from "./login/admin-login.js";
export { CHALLENGE_STORE, InMemoryChallengeStore } from "./challenge/challenge-store.js";
export { RATE_LIMIT_STORE } from "./limits/rate-limit-store.js";
export { InMemoryRateLimitStore } from "./limits/memory-rate-limit-store.js";
export { FAST_STATE } from "./state/fast-state.js";
export { ChallengeStoreProvider, FastStateProvider, RateLimitStoreProvider } from "./state/fast-state-provider.js";
export { noSignal } from "./sync/no-signal.js";
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
export type { AddressBinding, AddressBindings, Claim, MoveOutcome, SignerKey } from "./bindings/address-bindings.js";
export type { IssuedTokens } from "./sessions/sessions.js";
export type { CredentialStamp } from "./sessions/credential-stamps.js";
export type { SessionTokenClaims } from "./sessions/verified-token.js";
export type { AuthStore, IssuedAccessToken, RedeemOutcome, RefreshFamily, StoredSigningKey } from "./store/auth-store.js";
export type { WalletAlgorithm } from "./wallet/algorithms.js";
export type { KeyEncryption } from "./keys/key-encryption.js";
export type { ServerAuthErrorCode, SignInFailureReason } from "./errors.js";
export type { SessionRef, SessionRevocationReason, SignInAttempt, SignInRoute, ThrottledRoute } from "./events/auth-events.js";

/**
 * pico-server-auth: an embeddable auth server. Load it as a module; its routes live under /api/v1/auth.
 * @module
 */
export { ServerAuthSettings } from "./settings.js";
export { AuthController } from "./auth-controller.js";
export { SigningKey, JWKS_PATH } from "./keys/signing-key.js";
export { TokenIssuer } from "./tokens/token-issuer.js";
export { AdminLogin } from "./login/admin-login.js";
export { CHALLENGE_STORE, InMemoryChallengeStore } from "./challenge/challenge-store.js";
export { ADDRESS_BINDINGS, DefaultAddressBindings } from "./bindings/address-bindings.js";
export { WALLET_ALGORITHMS, isWalletAlgorithm } from "./wallet/algorithms.js";
export { verifyWalletSignature } from "./wallet/verify-signature.js";
export { ServerAuthError, ServerAuthConfigurationError } from "./errors.js";

export type { ChallengeStore } from "./challenge/challenge-store.js";
export type { AddressBinding, AddressBindings } from "./bindings/address-bindings.js";
export type { IssuedTokens } from "./tokens/token-issuer.js";
export type { WalletAlgorithm } from "./wallet/algorithms.js";
export type { ServerAuthErrorCode } from "./errors.js";

/**
 * pico-server-auth/testing: the contract suites of the ports, for vitest. A replacement of a port
 * (`@component({ provides: CHALLENGE_STORE })`, ...) runs its port's suite in its own tests.
 * @module
 */
export { challengeStoreContract } from "./challenge-store-contract.js";
export { rateLimitStoreContract } from "./rate-limit-store-contract.js";

export type { ChallengeStoreContractOptions, ChallengeStoreSettings, ChallengeStoreUnderTest } from "./challenge-store-contract.js";
export type { RateLimitStoreUnderTest } from "./rate-limit-store-contract.js";
export type { ContractClock } from "./clock.js";

/**
 * pico-server-auth/testing: the contract suites of the ports (vitest `describe`/`it`). Run
 * each against your implementation of a port; every built-in backend passes them. vitest is a peer
 * dependency of this entry only.
 *
 * @example
 * import { sessionStoreContract } from "pico-server-auth/testing";
 * sessionStoreContract("my store", async () => {
 *   const store = await openMyStore();
 *   return { store, close: () => store.dropAndClose() };
 * });
 * @module
 */
export { signingKeyStoreContract } from "./signing-key-store-contract.js";
export { bindingStoreContract } from "./binding-store-contract.js";
export { sessionStoreContract } from "./session-store-contract.js";
export { revocationStoreContract } from "./revocation-store-contract.js";
export { adminCredentialStoreContract } from "./admin-credential-store-contract.js";
export { durableStateContracts } from "./durable-state-contracts.js";
export { challengeStoreContract } from "./challenge-store-contract.js";
export { rateLimitStoreContract } from "./rate-limit-store-contract.js";

export type { OpenedStore } from "./opened-store.js";
export type { FeedPorts } from "./revocation-store-contract.js";
export type { ChallengeStoreContractOptions, ChallengeStoreSettings, OpenedChallengeStore } from "./challenge-store-contract.js";
export type { OpenedRateLimitStore } from "./rate-limit-store-contract.js";
export type { ContractClock } from "./clock.js";

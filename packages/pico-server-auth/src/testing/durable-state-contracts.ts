import type { DurableState } from "../state/durable-state.js";
import { adminCredentialStoreContract } from "./admin-credential-store-contract.js";
import { bindingStoreContract } from "./binding-store-contract.js";
import type { OpenedStore } from "./opened-store.js";
import { revocationStoreContract } from "./revocation-store-contract.js";
import { sessionStoreContract } from "./session-store-contract.js";
import { signingKeyStoreContract } from "./signing-key-store-contract.js";

/**
 * Every durable port's contract against one backend: `open` gives a DurableState on empty state for
 * each case (and, in `peers`, more states on that same data: other connections, other instances).
 */
export function durableStateContracts(name: string, open: () => Promise<OpenedStore<DurableState>>): void {
  const part =
    <T>(pick: (state: DurableState) => T) =>
    async (): Promise<OpenedStore<T>> => {
      const { store, peers, close } = await open();
      return { store: pick(store), ...(peers ? { peers: peers.map(pick) } : {}), close };
    };
  signingKeyStoreContract(name, part((s) => s.signingKeys));
  bindingStoreContract(name, part((s) => s.bindings));
  sessionStoreContract(name, part((s) => s.sessions));
  revocationStoreContract(name, part((s) => s));
  adminCredentialStoreContract(name, part((s) => s.admin));
}

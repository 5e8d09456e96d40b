/** Sign-in request bodies made before a measured run (not measured): challenges requested, then signed. */
import { mapLimit, postJson } from "./seed.js";
import type { Signer } from "./signer.js";
import { challengeBody, signInBody } from "./wallets.js";
import type { Wallet } from "./wallets.js";

/**
 * `count` POST /api/v1/auth/sign-in bodies for the server at `url`, one challenge each, the wallets
 * taking turns. ML-DSA-65 signing is slow: a `signer` (a helper process on the idle server core)
 * signs the first half meanwhile.
 */
export async function signInBodies(url: string, wallets: readonly Wallet[], count: number, signer: Signer | undefined): Promise<string[]> {
  const owners = Array.from({ length: count }, (_, i) => wallets[i % wallets.length] as Wallet);
  const issued = await mapLimit(owners, 16, (w) => postJson<{ challenge: string; message: string }>(`${url}/api/v1/auth/challenge`, challengeBody(w)));
  const half = signer && owners[0]?.algorithm === "ML-DSA-65" ? Math.floor(count / 2) : 0;
  const helped = signer && half > 0 ? signer.sign(owners.slice(0, half).map((w, i) => ({ seedHex: w.seedHex as string, message: issued[i]?.message as string }))) : Promise.resolve([]);
  const own = owners.slice(half).map((w, i) => w.sign(issued[half + i]?.message as string));
  const signatures = [...(await helped), ...own];
  return owners.map((w, i) => signInBody(w, issued[i]?.challenge as string, signatures[i] as Uint8Array));
}

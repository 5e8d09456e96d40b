import { json } from "./http.js";
import type { Tokens, Traffic } from "./traffic.js";
import { WALLET_ALGORITHMS as ALGORITHMS, challengeBody, newWallet, signInFields } from "../bench/lib/wallets.js";
import type { Wallet, WalletAlgorithm } from "../bench/lib/wallets.js";

/** A wallet sign-in: a new wallet one time in three (a new binding); else one that signed in before. */
export async function walletSignIn(traffic: Traffic): Promise<void> {
  const algorithm = ALGORITHMS[Math.floor(Math.random() * ALGORITHMS.length)] as WalletAlgorithm;
  const known = traffic.wallets.filter((w) => w.algorithm === algorithm);
  const wallet = known.length === 0 || Math.random() < 1 / 3 ? newWallet(algorithm) : (known[Math.floor(Math.random() * known.length)] as Wallet);
  const issued = await traffic.send("POST", "/api/v1/auth/challenge", json(challengeBody(wallet)));
  if (!traffic.expect(issued, [200], "challenge")) return;
  // The wallet signs the sign-in message (naming the site, the address, an expiry), not the bare challenge.
  const { challenge, message } = issued.json<{ challenge: string; message: string }>();
  const signedIn = await traffic.send("POST", "/api/v1/auth/sign-in", json(signInFields(wallet, challenge, wallet.sign(message))));
  if (!traffic.expect(signedIn, [200], `sign-in ${algorithm}`)) return;
  if (!traffic.bindings.has(wallet.address)) {
    traffic.bindings.set(wallet.address, wallet);
    traffic.wallets.push(wallet);
  }
  traffic.record(signedIn.json<Tokens>(), "wallet");
}

// The sign-in page's logic: plain ES modules, no build step. Ed25519 uses WebCrypto; ML-DSA-65 uses
// @noble/post-quantum served by this same server (see the import map in index.html).
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

const $ = (id) => document.getElementById(id);
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));
const STORE = "pico-wallet-";

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { "content-type": "application/json", ...(init.headers ?? {}) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${path}: ${response.status} ${typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? body)}`);
  return body;
}

/** A wallet: its public key (hex), an address derived from it, and a signing function. */
async function loadWallet(algorithm, create) {
  const saved = localStorage.getItem(STORE + algorithm);
  if (!saved && !create) return undefined;
  let wallet;
  if (algorithm === "ML-DSA-65") {
    const seed = saved ? fromHex(saved) : crypto.getRandomValues(new Uint8Array(32));
    const { publicKey, secretKey } = ml_dsa65.keygen(seed);
    if (!saved) localStorage.setItem(STORE + algorithm, hex(seed));
    wallet = { publicKey: hex(publicKey), sign: async (message) => hex(ml_dsa65.sign(message, secretKey)) };
  } else {
    let jwk = saved ? JSON.parse(saved) : undefined;
    if (!jwk) {
      const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
      jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
      localStorage.setItem(STORE + algorithm, JSON.stringify(jwk));
    }
    const privateKey = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["sign"]);
    const raw = Uint8Array.from(atob(jwk.x.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    wallet = { publicKey: hex(raw), sign: async (message) => hex(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, message)) };
  }
  // The address the server derives from this key (0x + the first 40 hex digits of SHA-256 of the raw
  // key, for Ed25519 and ML-DSA-65). The server refuses any address its key does not derive, so
  // another key cannot sign in as this address, before or after this one.
  const digest = await crypto.subtle.digest("SHA-256", fromHex(wallet.publicKey));
  return { ...wallet, algorithm, address: `0x${hex(digest).slice(0, 40)}` };
}

/**
 * Why the page will not sign `message`, or undefined: it must be a sign-in message (not a move of the
 * address to another key) naming this page's host, this wallet's address, the challenge as nonce and
 * a future expiry. A page that signed whatever the server sent could be made to sign a move relayed
 * from elsewhere. (The same check as examples/wallet-client/src/message-check.ts.)
 */
function messageProblem(message, wallet, challenge) {
  const lines = message.split("\n");
  if (/ asks you to move your .* account to a new key:$/.test(lines[0])) return "it is a move message (it would move your address to another key), not a sign-in message";
  if (lines[0] !== `${location.host} wants you to sign in with your ${wallet.algorithm} account:`) return `its first line is not "${location.host} wants you to sign in with your ${wallet.algorithm} account:"`;
  if ((lines[1] ?? "").toLowerCase() !== wallet.address) return `it names the address ${lines[1]}, not this wallet's ${wallet.address}`;
  if (!lines.includes(`Nonce: ${challenge}`)) return "its nonce is not the challenge";
  const expiry = Date.parse((lines.find((line) => line.startsWith("Expiration Time: ")) ?? "").slice("Expiration Time: ".length));
  if (!(expiry > Date.now())) return "it names no expiration time in the future";
  return undefined;
}

function decodeClaims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
}

async function showSession(accessToken) {
  const auth = { headers: { authorization: `Bearer ${accessToken}` } };
  $("profile").textContent = JSON.stringify(await api("/api/profile", auth), null, 2);
  try {
    $("dashboard").textContent = JSON.stringify(await api("/api/admin/dashboard", auth), null, 2);
  } catch (error) {
    $("dashboard").textContent = error.message;
  }
  $("claims").textContent = JSON.stringify(decodeClaims(accessToken), null, 2);
  $("result").hidden = false;
}

async function run(action) {
  $("error").hidden = true;
  try {
    await action();
  } catch (error) {
    $("error").textContent = error.message;
    $("error").hidden = false;
  }
}

async function refreshAddress() {
  const wallet = await loadWallet($("algorithm").value, false);
  $("address").textContent = wallet ? wallet.address : "no key yet";
}

$("algorithm").addEventListener("change", () => run(refreshAddress));

$("new-key").addEventListener("click", () =>
  run(async () => {
    localStorage.removeItem(STORE + $("algorithm").value);
    $("address").textContent = (await loadWallet($("algorithm").value, true)).address;
  }),
);

$("sign-in").addEventListener("click", () =>
  run(async () => {
    const wallet = await loadWallet($("algorithm").value, true);
    $("address").textContent = wallet.address;
    const { challenge, message } = await api("/api/v1/auth/challenge", { method: "POST", body: JSON.stringify({ address: wallet.address, algorithm: wallet.algorithm }) });
    // The text to sign names this site (from the server's settings), the address and an expiry: a
    // signature made here is useless to any other site. Shown, as a wallet would show it, and checked
    // against this page's host before it is signed.
    $("message").textContent = message;
    const problem = messageProblem(message, wallet, challenge);
    if (problem) throw new Error(`refusing to sign the message the server sent: ${problem}`);
    const signature = await wallet.sign(new TextEncoder().encode(message));
    const tokens = await api("/api/v1/auth/sign-in", {
      method: "POST",
      body: JSON.stringify({ address: wallet.address, public_key: wallet.publicKey, signature, challenge, message, algorithm: wallet.algorithm }),
    });
    await showSession(tokens.access_token);
  }),
);

$("admin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    const tokens = await api("/api/v1/auth/login", { method: "POST", body: JSON.stringify({ email: $("email").value, password: $("password").value }) });
    await showSession(tokens.access_token);
  });
});

run(refreshAddress);

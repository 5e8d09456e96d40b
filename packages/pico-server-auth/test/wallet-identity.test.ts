/**
 * Secure wallet mode (the default), identity side: an address is owned by the key it derives from
 * (Ethereum address for secp256k1, SHA-256 for Ed25519 and ML-DSA-65), in any case, with EIP-55
 * checked; one key is one identity in either encoding; bindings made before keep working for their
 * own key; an operator can unbind; a wallet can move its address to a new key.
 */
import { createHash } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { describe, expect, it, vi } from "vitest";
import { parseSiweMessage } from "viem/siwe";
import type { Application } from "pico-boot";
import { ADDRESS_BINDINGS, BINDING_STORE, checksumAddress, deriveAddress, parseAddress } from "../src/index.js";
import type { AddressBindings, BindingStore } from "../src/index.js";
import { UPSTREAM, askChallenge, claimsOf, ed25519Wallet, mlDsaWallet, personalSign, postJson, secp256k1Wallet, serverApp, walletSignIn } from "./support.js";
import type { IssuedChallenge, Wallet } from "./support.js";

async function call(app: Application, path: string, body: Record<string, unknown>) {
  const res = await app.request(path, postJson(body));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The sign-in body of `wallet` for `issued`: it signs the issued message. */
function signed(wallet: Wallet, address: string, issued: IssuedChallenge, overrides: Record<string, unknown> = {}) {
  return { address, public_key: wallet.publicKeyHex, signature: wallet.sign(issued.message), challenge: issued.challenge, algorithm: wallet.algorithm, ...overrides };
}

async function signInAs(app: Application, wallet: Wallet, address: string, overrides: Record<string, unknown> = {}) {
  return call(app, "/api/v1/auth/sign-in", signed(wallet, address, await askChallenge(app, wallet, address), overrides));
}

const refused = (detail: string) => ({ status: 401, body: { detail } });
const notDerived = (address: string, wallet: Wallet) => refused(`address ${address} is not derived from this key (its ${wallet.algorithm} address is ${wallet.address})`);
const BOUND_ELSEWHERE = refused("address is bound to a different key");
const WALLETS = [["secp256k1", secp256k1Wallet], ["Ed25519", ed25519Wallet], ["ML-DSA-65", mlDsaWallet]] as const;

/** `address` with the case of its first letter digit swapped: a broken checksum. */
function flipFirstLetter(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2;
  const c = address[i] as string;
  return address.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + address.slice(i + 1);
}

const stores = async (app: Application) => {
  await app.init();
  return { store: app.container.get(BINDING_STORE) as BindingStore, bindings: app.container.get(ADDRESS_BINDINGS) as AddressBindings };
};

describe("address derivation", () => {
  it("secp256k1: the Ethereum address (known vector: private key 1) and EIP-55's own examples", () => {
    const point = secp256k1.getPublicKey(Buffer.from("01".padStart(64, "0"), "hex"), false);
    expect(checksumAddress(deriveAddress("secp256k1", point))).toBe("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    for (const address of ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]) {
      expect(checksumAddress(address.toLowerCase())).toBe(address);
      expect(parseAddress(address)).toEqual({ kind: "hex", lower: address.toLowerCase() });
      expect(parseAddress(flipFirstLetter(address))).toEqual({ kind: "bad-checksum" });
      expect(parseAddress(`0X${address.slice(2).toUpperCase()}`)).toEqual({ kind: "hex", lower: address.toLowerCase() });
    }
    for (const other of ["0xwallet", `0x${"a".repeat(39)}`, `0x${"a".repeat(41)}`, "a".repeat(42), `0x${"g".repeat(40)}`]) expect(parseAddress(other)).toEqual({ kind: "not-hex" });
  });

  it("Ed25519 and ML-DSA-65: 0x + the first 40 hex digits of SHA-256 of the raw key", () => {
    for (const wallet of [ed25519Wallet(), mlDsaWallet()]) {
      const key = Buffer.from(wallet.publicKeyHex, "hex");
      expect(deriveAddress(wallet.algorithm, key)).toBe(`0x${createHash("sha256").update(key).digest("hex").slice(0, 40)}`);
    }
  });

  it.each(WALLETS)("%s: the derived address signs in; sub and wallet_address are its lower-case form", async (_name, make) => {
    const app = serverApp();
    const wallet = make();
    const res = await walletSignIn(app, wallet);
    const body = (await res.json()) as Record<string, unknown>;
    expect([res.status, body.address, body.algorithm]).toEqual([200, wallet.address, wallet.algorithm]);
    expect(claimsOf(body.access_token as string)).toMatchObject({ sub: wallet.address, role: "wallet", algorithm: wallet.algorithm, wallet_address: wallet.address });
  });
});

describe("addresses owned by keys (secure mode)", () => {
  it("an address the key does not derive is refused, so nobody can squat a victim's published address", async () => {
    const app = serverApp();
    const [victim, attacker] = [secp256k1Wallet(), secp256k1Wallet()];
    expect(await signInAs(app, attacker, victim.address)).toEqual(notDerived(victim.address, attacker));
    // Another algorithm's key does not derive it either; nor does a made-up address bind to anyone.
    const ed = ed25519Wallet();
    expect(await signInAs(app, ed, victim.address)).toEqual(notDerived(victim.address, ed));
    expect(await signInAs(app, ed, "0xwallet")).toEqual(notDerived("0xwallet", ed));
    // The owner's first sign-in is not blocked by any of that.
    expect((await signInAs(app, victim, victim.address)).status).toBe(200);
  });

  it("input is case-insensitive: lower, upper (0X) and EIP-55 forms are one identity; a broken checksum is refused", async () => {
    const app = serverApp();
    const wallet = secp256k1Wallet();
    const checksummed = checksumAddress(wallet.address);
    for (const address of [checksummed, `0X${wallet.address.slice(2).toUpperCase()}`, wallet.address]) {
      const result = await signInAs(app, wallet, address);
      expect([result.status, result.body.address], address).toEqual([200, wallet.address]);
      expect(claimsOf(result.body.access_token as string).sub).toBe(wallet.address);
    }
    const typo = flipFirstLetter(checksummed);
    expect(await signInAs(app, wallet, typo)).toEqual(refused(`address ${typo} fails its EIP-55 checksum (send it in one case, or checksummed)`));
    // Ed25519 addresses follow the same syntax rules.
    const ed = ed25519Wallet();
    expect((await signInAs(app, ed, ed.address.toUpperCase().replace("0X", "0x"))).body.address).toBe(ed.address);
  });

  it("one secp256k1 key, compressed or uncompressed, is one identity (and binds in the uncompressed form)", async () => {
    const app = serverApp();
    const { store } = await stores(app);
    const secret = secp256k1.utils.randomSecretKey();
    const uncompressed = Buffer.from(secp256k1.getPublicKey(secret, false)).toString("hex");
    const compressed = Buffer.from(secp256k1.getPublicKey(secret, true)).toString("hex");
    const wallet: Wallet = { ...secp256k1Wallet(), publicKeyHex: compressed, address: deriveAddress("secp256k1", Buffer.from(uncompressed, "hex")), sign: (m) => personalSign(secret, m) };
    const first = await signInAs(app, wallet, wallet.address);
    expect(first.status).toBe(200);
    expect(await store.binding(wallet.address)).toEqual({ algorithm: "secp256k1", publicKey: uncompressed });
    expect((await signInAs(app, wallet, wallet.address, { public_key: uncompressed })).status).toBe(200);
    // A 64-byte r‖s signature with the compressed key: the same identity again.
    const issued = await askChallenge(app, wallet);
    const compact = signed(wallet, wallet.address, issued);
    expect((await call(app, "/api/v1/auth/sign-in", { ...compact, signature: compact.signature.slice(0, 128) })).body.address).toBe(wallet.address);
    // A binding an earlier version stored compressed accepts the uncompressed key.
    await store.bindAddress("0xlegacy-compressed", { algorithm: "secp256k1", publicKey: compressed });
    const legacy = await signInAs(app, wallet, "0xlegacy-compressed", { public_key: uncompressed });
    expect(legacy.body.address).toBe("0xlegacy-compressed");
    // Its session follows the binding: the stored compressed key and the signer are one key.
    expect((await call(app, "/api/v1/auth/refresh", { refresh_token: legacy.body.refresh_token })).status).toBe(200);
  });

  it("a sign-in reads the store as little as it can: the lower-case derived address in one insert-or-read, a checksummed one in two", async () => {
    const app = serverApp();
    const { store, bindings } = await stores(app);
    const reads = vi.spyOn(store, "binding");
    const binds = vi.spyOn(store, "bindAddress");
    for (const [wallet, address, calls] of [[secp256k1Wallet(), (w: Wallet) => w.address, [0, 1]], [secp256k1Wallet(), (w: Wallet) => checksumAddress(w.address), [1, 1]]] as const) {
      const key = { algorithm: wallet.algorithm, publicKey: wallet.publicKeyHex };
      for (let round = 0; round < 2; round++) {
        reads.mockClear();
        binds.mockClear();
        expect(await bindings.claim(address(wallet), key)).toEqual({ ok: true, sub: wallet.address });
        expect([reads.mock.calls.length, binds.mock.calls.length]).toEqual(calls);
      }
    }
  });

  it("bindings made before keep working for their own key only (today's SHA-256 secp256k1 addresses, made-up names)", async () => {
    const app = serverApp();
    const { store } = await stores(app);
    const [k1, ed, other] = [secp256k1Wallet(), ed25519Wallet(), ed25519Wallet()];
    // What the wallet client derived for secp256k1 before: SHA-256, not Keccak.
    const oldAddress = `0x${createHash("sha256").update(Buffer.from(k1.publicKeyHex, "hex")).digest("hex").slice(0, 40)}`;
    await store.bindAddress(oldAddress, { algorithm: "secp256k1", publicKey: k1.publicKeyHex });
    await store.bindAddress("0xwallet", { algorithm: "Ed25519", publicKey: ed.publicKeyHex });
    const old = await signInAs(app, k1, oldAddress);
    expect([old.status, claimsOf(old.body.access_token as string).sub]).toEqual([200, oldAddress]);
    expect((await signInAs(app, ed, "0xwallet")).body.address).toBe("0xwallet");
    expect(await signInAs(app, other, "0xwallet")).toEqual(BOUND_ELSEWHERE);
    expect(await signInAs(app, secp256k1Wallet(), oldAddress)).toEqual(BOUND_ELSEWHERE);
    // The same key's derived address is a second, separate identity.
    expect((await signInAs(app, k1, k1.address)).body.address).toBe(k1.address);
  });

  it("case twins that exist already stay as they are: each signs in with its own key, as sent", async () => {
    const app = serverApp();
    const { store } = await stores(app);
    const [owner, twin] = [ed25519Wallet(), ed25519Wallet()];
    const upper = `0x${owner.address.slice(2).toUpperCase()}`;
    // Upstream bound addresses exactly as sent: the owner's derived address and an upper-case twin held by someone else.
    await store.bindAddress(owner.address, { algorithm: "Ed25519", publicKey: owner.publicKeyHex });
    await store.bindAddress(upper, { algorithm: "Ed25519", publicKey: twin.publicKeyHex });
    expect((await signInAs(app, twin, upper)).body.address).toBe(upper);
    expect((await signInAs(app, owner, owner.address)).body.address).toBe(owner.address);
    expect(await signInAs(app, owner, upper)).toEqual(BOUND_ELSEWHERE);
    expect(await signInAs(app, twin, owner.address)).toEqual(BOUND_ELSEWHERE);
  });

  it("the first key wins a derived address (two keys cannot derive one address, but a legacy binding may hold it)", async () => {
    const app = serverApp();
    const { store } = await stores(app);
    const [owner, squatter] = [ed25519Wallet(), ed25519Wallet()];
    await store.bindAddress(owner.address, { algorithm: "Ed25519", publicKey: squatter.publicKeyHex }); // squatted under upstream
    expect(await signInAs(app, owner, owner.address)).toEqual(BOUND_ELSEWHERE);
    expect(await signInAs(app, owner, checksumAddress(owner.address))).toEqual(BOUND_ELSEWHERE);
  });

  it("an operator can unbind an address (AddressBindings.unbind): its owner then binds it anew", async () => {
    const app = serverApp();
    const { store, bindings } = await stores(app);
    const [owner, squatter] = [ed25519Wallet(), ed25519Wallet()];
    await store.bindAddress(owner.address, { algorithm: "Ed25519", publicKey: squatter.publicKeyHex });
    expect(await bindings.unbind(owner.address)).toBe(owner.address);
    expect(await bindings.unbind(owner.address)).toBeUndefined();
    expect(await signInAs(app, squatter, owner.address)).toEqual(notDerived(owner.address, squatter));
    expect((await signInAs(app, owner, owner.address)).status).toBe(200);
    expect(await store.binding(owner.address)).toEqual({ algorithm: "Ed25519", publicKey: owner.publicKeyHex });
  });
});

describe("moving an address to a new key", () => {
  /** Asks a move challenge for `address` held by `from`, to `to`; returns the /move body both keys signed. */
  async function moveBody(app: Application, from: Wallet, to: Wallet, address = from.address, signer = from) {
    const issued = await askChallenge(app, from, address, { move_to: { algorithm: to.algorithm, public_key: to.publicKeyHex } });
    return {
      issued,
      body: { address, challenge: issued.challenge, algorithm: from.algorithm, public_key: signer.publicKeyHex, signature: signer.sign(issued.message), new_algorithm: to.algorithm, new_public_key: to.publicKeyHex, new_signature: to.sign(issued.message) },
    };
  }

  it("both keys sign the move; afterwards the old key is refused for the address, its sessions end, and the new key signs in", async () => {
    const app = serverApp();
    const [old, next] = [secp256k1Wallet(), ed25519Wallet()];
    const before = await signInAs(app, old, old.address);
    expect(before.status).toBe(200);
    const { issued, body } = await moveBody(app, old, next);
    const fingerprint = createHash("sha256").update(Buffer.from(next.publicKeyHex, "hex")).digest("hex");
    expect(issued.message.split("\n").slice(0, 4)).toEqual([
      "localhost:8100 asks you to move your Ethereum account to a new key:",
      checksumAddress(old.address),
      "",
      `Move this account to the Ed25519 key whose SHA-256 is ${fingerprint}. The current key and the new key both sign this message.`,
    ]);
    expect(await call(app, "/api/v1/auth/move", body)).toEqual({ status: 200, body: { address: old.address, algorithm: "Ed25519", revoked_sessions: 1 } });
    expect(await signInAs(app, old, old.address)).toEqual(BOUND_ELSEWHERE);
    // The session the old key started is over: its refresh token is refused.
    expect((await call(app, "/api/v1/auth/refresh", { refresh_token: before.body.refresh_token })).status).toBe(401);
    const moved = await signInAs(app, next, old.address);
    expect([moved.status, claimsOf(moved.body.access_token as string)]).toEqual([200, expect.objectContaining({ sub: old.address, algorithm: "Ed25519" })]);
    // Any case of the address finds the moved binding.
    expect((await signInAs(app, next, checksumAddress(old.address))).body.address).toBe(old.address);
    // The replayed move is refused: its challenge is spent.
    expect(await call(app, "/api/v1/auth/move", body)).toEqual(refused("invalid or expired challenge"));
  });

  it("a move message is no sign-in message: its own header, which no SIWE parser reads as a sign-in, for every algorithm", async () => {
    const app = serverApp();
    for (const [from, to] of [[secp256k1Wallet(), ed25519Wallet()], [ed25519Wallet(), secp256k1Wallet()], [mlDsaWallet(), ed25519Wallet()]] as const) {
      const { message } = await askChallenge(app, from, from.address, { move_to: { algorithm: to.algorithm, public_key: to.publicKeyHex } });
      const account = from.algorithm === "secp256k1" ? "Ethereum" : from.algorithm;
      expect(message.split("\n")[0]).toBe(`localhost:8100 asks you to move your ${account} account to a new key:`);
      expect(message).not.toContain("wants you to sign in");
      // viem's SIWE parser finds no domain and no address in it: a SIWE-aware wallet does not show it as a sign-in.
      expect(parseSiweMessage(message)).not.toHaveProperty("domain");
      expect(parseSiweMessage(message)).not.toHaveProperty("address");
    }
  });

  it("a malformed sign-in or move leaves its challenge usable; only a signature that fails to verify spends it", async () => {
    const app = serverApp();
    const [wallet, next] = [ed25519Wallet(), ed25519Wallet()];
    const issued = await askChallenge(app, wallet);
    const malformed: [Record<string, unknown>, { status: number; body: unknown }][] = [
      [{ public_key: undefined, algorithm: undefined }, { status: 400, body: { detail: "public_key required for Ed25519" } }],
      [{ algorithm: "secp256k1", public_key: undefined, signature: "00".repeat(65) }, refused("the challenge was issued for Ed25519, not secp256k1")],
      [{ message: issued.message.replace("localhost:8100 wants", "evil.example wants") }, refused("the message differs from the one issued for this challenge: its domain is not the one issued")],
      [{ algorithm: undefined, signature: "00".repeat(10) }, refused("signature verification failed")],
    ];
    for (const [overrides, answer] of malformed) {
      expect(await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, wallet.address, issued), ...overrides })).toEqual(answer);
    }
    // A sign-in challenge sent to /move is refused without spending it either.
    const toMove = { ...signed(wallet, wallet.address, issued), new_signature: next.sign(issued.message) };
    expect(await call(app, "/api/v1/auth/move", toMove)).toEqual(refused("this challenge is not for a move: ask for one with move_to"));
    expect((await call(app, "/api/v1/auth/sign-in", signed(wallet, wallet.address, issued))).status).toBe(200);

    const { issued: move, body } = await moveBody(app, wallet, next);
    expect(await call(app, "/api/v1/auth/move", { ...body, new_signature: "00".repeat(10) })).toEqual(refused("signature verification failed"));
    expect(await call(app, "/api/v1/auth/move", { ...body, new_algorithm: "secp256k1", new_public_key: undefined })).toEqual(refused("new_algorithm secp256k1 is not the one the move message names (Ed25519)"));
    expect(await call(app, "/api/v1/auth/move", { ...body, public_key: undefined, algorithm: undefined })).toEqual({ status: 400, body: { detail: "public_key required for Ed25519" } });
    expect(await call(app, "/api/v1/auth/sign-in", signed(wallet, wallet.address, move))).toEqual(refused("this challenge is for a move: send it to POST /api/v1/auth/move"));
    expect((await call(app, "/api/v1/auth/move", body)).status).toBe(200);

    // A well-formed request whose signature does not verify spends the challenge.
    const spent = await askChallenge(app, next, wallet.address);
    expect(await call(app, "/api/v1/auth/sign-in", signed(next, wallet.address, spent, { signature: "00".repeat(64) }))).toEqual(refused("signature verification failed"));
    expect(await call(app, "/api/v1/auth/sign-in", signed(next, wallet.address, spent))).toEqual(refused("invalid or expired challenge"));
  });

  it("a move signed by a key that does not hold the address is refused, and the holder keeps it", async () => {
    const app = serverApp();
    const [owner, thief, thiefNext] = [ed25519Wallet(), ed25519Wallet(), ed25519Wallet()];
    expect((await signInAs(app, owner, owner.address)).status).toBe(200);
    const { body } = await moveBody(app, owner, thiefNext, owner.address, thief);
    expect(await call(app, "/api/v1/auth/move", body)).toEqual(BOUND_ELSEWHERE);
    // The old key alone, or a new key that did not sign, moves nothing either.
    const unsigned = await moveBody(app, owner, thiefNext);
    expect(await call(app, "/api/v1/auth/move", { ...unsigned.body, new_signature: thief.sign(unsigned.issued.message) })).toEqual(refused("new_signature verification failed"));
    const swapped = await moveBody(app, owner, thiefNext);
    expect(await call(app, "/api/v1/auth/move", { ...swapped.body, new_public_key: thief.publicKeyHex })).toEqual(refused("new_public_key is not the key the move message names"));
    expect((await signInAs(app, owner, owner.address)).status).toBe(200);
    expect(await signInAs(app, thiefNext, owner.address)).toEqual(BOUND_ELSEWHERE);
  });

  it("move and sign-in challenges are not interchangeable; unbound addresses and upstream mode cannot move", async () => {
    const app = serverApp();
    const [owner, next] = [mlDsaWallet(), secp256k1Wallet()];
    const unbound = await moveBody(app, owner, next);
    expect(await call(app, "/api/v1/auth/move", unbound.body)).toEqual(refused(`address ${owner.address} is not bound to any key: sign in with it first`));
    const moveChallenge = await moveBody(app, owner, next);
    expect(await call(app, "/api/v1/auth/sign-in", signed(owner, owner.address, moveChallenge.issued))).toEqual(refused("this challenge is for a move: send it to POST /api/v1/auth/move"));
    const issued = await askChallenge(app, owner);
    const plain = { ...unbound.body, challenge: issued.challenge, signature: owner.sign(issued.message), new_signature: next.sign(issued.message) };
    expect(await call(app, "/api/v1/auth/move", plain)).toEqual(refused("this challenge is not for a move: ask for one with move_to"));
    expect(await call(app, "/api/v1/auth/challenge", { address: owner.address, move_to: { algorithm: "Ed25519", public_key: "00" } })).toEqual({ status: 400, body: { detail: "move_to.public_key must be a hex Ed25519 public key (32 bytes)" } });
    expect(await call(app, "/api/v1/auth/challenge", { address: owner.address, move_to: "x" })).toEqual({ status: 400, body: { detail: "move_to must be an object: {algorithm, public_key}" } });

    const upstream = serverApp({ server: UPSTREAM });
    expect(await call(upstream, "/api/v1/auth/challenge", { address: owner.address, move_to: { algorithm: "Ed25519", public_key: "00" } })).toEqual({ status: 400, body: { detail: "move_to needs server_auth.wallet_mode secure" } });
    expect(await call(upstream, "/api/v1/auth/move", unbound.body)).toEqual({ status: 403, body: { detail: "moves need server_auth.wallet_mode secure" } });
  });

  it("two moves racing from one key: one wins, the other finds the binding changed (409) and moves nothing", async () => {
    const app = serverApp();
    const [owner, a, b] = [ed25519Wallet(), ed25519Wallet(), ed25519Wallet()];
    expect((await signInAs(app, owner, owner.address)).status).toBe(200);
    const [toA, toB] = [await moveBody(app, owner, a), await moveBody(app, owner, b)];
    const results = await Promise.all([call(app, "/api/v1/auth/move", toA.body), call(app, "/api/v1/auth/move", toB.body)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, expect.any(Number)]);
    const loser = results.find((r) => r.status !== 200);
    // Depending on timing it sees the old binding changed (409) or the key no longer holding it (401).
    expect([{ status: 409, body: { detail: "the address was moved or unbound meanwhile; ask for a new challenge" } }, BOUND_ELSEWHERE]).toContainEqual(loser);
    const winner = results[0]?.status === 200 ? a : b;
    expect((await signInAs(app, winner, owner.address)).status).toBe(200);
  });
});

describe("wallet_mode", () => {
  it("upstream logs a warning at boot naming it unsafe; secure (the default) does not", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    await serverApp({ server: UPSTREAM, logger }).init();
    expect(warnings.filter((w) => w.includes("wallet_mode is upstream, which is UNSAFE"))).toHaveLength(1);
    warnings.length = 0;
    await serverApp({ logger }).init();
    expect(warnings.filter((w) => w.includes("wallet_mode"))).toEqual([]);
  });

  it("upstream: any address, the bare challenge signed, first key wins (today's behaviour)", async () => {
    const app = serverApp({ server: UPSTREAM });
    const [owner, intruder] = [secp256k1Wallet(), secp256k1Wallet()];
    const issued = await askChallenge(app, owner, "0xvictim");
    expect(issued.message).toBe(issued.challenge);
    expect((await walletSignIn(app, owner, "0xvictim")).status).toBe(200);
    const stolen = await walletSignIn(app, intruder, "0xvictim");
    expect([stolen.status, await stolen.json()]).toEqual([401, { detail: "address is bound to a different key" }]);
  });
});

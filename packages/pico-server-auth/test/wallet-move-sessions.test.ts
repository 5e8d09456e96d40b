/**
 * The sessions of an address when its binding changes (a move, an unbind): the changes are committed
 * first, so ending the sessions after them never turns the answer into a 5xx; the new key's own
 * sessions survive its move; sessions follow AddressBindings, whatever implements it.
 */
import { describe, expect, it, vi } from "vitest";
import type { Application } from "pico-boot";
import { ADDRESS_BINDINGS, BINDING_STORE, SESSION_STORE } from "../src/index.js";
import type { AddressBinding, AddressBindings, SignerKey } from "../src/index.js";
import { Profile, UPSTREAM, askChallenge, ed25519Wallet, postJson, serverApp, walletSignIn } from "./support.js";
import type { Wallet } from "./support.js";
import { answer, embeddedApp, login, profile, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

const storeFailure = () => Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
/** The sessions port, to make one of its calls fail (a spy on it replaces the backend's method; the instrumentation still wraps it). */
const backendOf = (a: Application) => a.container.get(SESSION_STORE);

/** `old` signs a move of its address to `next`'s key, and `next` countersigns: the /move body. */
async function moveBody(a: Application, old: Wallet, next: Wallet): Promise<Record<string, string>> {
  const { challenge, message } = await askChallenge(a, old, old.address, { move_to: { algorithm: next.algorithm, public_key: next.publicKeyHex } });
  return { address: old.address, challenge, algorithm: old.algorithm, public_key: old.publicKeyHex, signature: old.sign(message), new_algorithm: next.algorithm, new_public_key: next.publicKeyHex, new_signature: next.sign(message) };
}

const signIn = async (a: Application, wallet: Wallet, address?: string) => (await (await walletSignIn(a, wallet, address)).json()) as Tokens;

describe("a move or unbind whose session revocation fails after it committed", () => {
  it("a move answers 200 with revoked_sessions null, and the old key's sessions end once the store answers again", async () => {
    const a = embeddedApp();
    await a.init();
    const [old, next] = [ed25519Wallet(), ed25519Wallet()];
    const before = await signIn(a, old);
    const revoke = vi.spyOn(backendOf(a), "revokeSubject").mockRejectedValueOnce(storeFailure());
    const moved = await a.request("/api/v1/auth/move", postJson(await moveBody(a, old, next)));
    expect(await answer(moved)).toEqual([200, { address: old.address, algorithm: next.algorithm, revoked_sessions: null }]);
    // Retried every second: the access token of the old key's session is refused then.
    await vi.waitFor(async () => expect(await answer(profile(a, before.access_token))).toEqual([401, { detail: "Token revoked" }]), { timeout: 3_000 });
    expect(revoke.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect((await refresh(a, before.refresh_token)).status).toBe(401);
    await a.stop();
  });

  it("an admin unbind answers 204, and the address's sessions end once the store answers again", async () => {
    const a = embeddedApp();
    await a.init();
    const admin = await login(a);
    const wallet = ed25519Wallet();
    const tokens = await signIn(a, wallet);
    vi.spyOn(backendOf(a), "revokeSubject").mockRejectedValueOnce(storeFailure());
    const unbind = await a.request(`/api/v1/auth/admin/bindings/${wallet.address}`, { method: "DELETE", headers: { authorization: `Bearer ${admin.access_token}` } });
    expect(unbind.status).toBe(204);
    await vi.waitFor(async () => expect(await answer(profile(a, tokens.access_token))).toEqual([401, { detail: "Token revoked" }]), { timeout: 3_000 });
    await a.stop();
  });
});

describe("a move ends the old key's sessions, not the new key's", () => {
  it("the new key signing in as the address while its move ends the old sessions keeps its session", async () => {
    const a = embeddedApp();
    await a.init();
    const [old, next] = [ed25519Wallet(), ed25519Wallet()];
    const oldSession = await signIn(a, old);
    const backend = backendOf(a);
    const revokeSubject = backend.revokeSubject.bind(backend);
    let newSession: Tokens | undefined;
    // Just before the move ends the address's sessions (the binding has moved already), the new key signs in.
    vi.spyOn(backend, "revokeSubject").mockImplementationOnce(async (...args) => {
      newSession = await signIn(a, next, old.address);
      return revokeSubject(...args);
    });
    expect(await answer(a.request("/api/v1/auth/move", postJson(await moveBody(a, old, next))))).toEqual([200, { address: old.address, algorithm: next.algorithm, revoked_sessions: 1 }]);
    expect(await answer(profile(a, oldSession.access_token))).toEqual([401, { detail: "Token revoked" }]);
    expect((await profile(a, (newSession as Tokens).access_token)).status).toBe(200);
    expect((await refresh(a, (newSession as Tokens).refresh_token)).status).toBe(200);
    await a.stop();
  });
});

/** An app's own bindings, kept in a Map instead of the auth store: first key wins, exact addresses. */
class MapBindings implements AddressBindings {
  readonly #map = new Map<string, AddressBinding>();
  async claim(address: string, key: SignerKey) {
    return (await this.bind(address, key)) ? { ok: true as const, sub: address } : { ok: false as const, detail: "address is bound to a different key" };
  }
  async holder(address: string) {
    return this.#map.get(address);
  }
  async bind(address: string, binding: AddressBinding) {
    if (!this.#map.has(address)) this.#map.set(address, binding);
    return this.#map.get(address)?.publicKey === binding.publicKey;
  }
  async unbind(address: string) {
    return this.#map.delete(address) ? address : undefined;
  }
  async move(address: string) {
    return { outcome: "unbound" as const, address };
  }
}

describe("wallet sessions follow ADDRESS_BINDINGS, whatever implements it", () => {
  it("with an app's own AddressBindings (not rows of the auth store), a wallet signs in and refreshes; unbound there, its refresh is refused", async () => {
    const bindings = new MapBindings();
    const a = serverApp({ embedded: true, components: [Profile], overrides: [{ provide: ADDRESS_BINDINGS, useValue: bindings }] });
    await a.init();
    const wallet = ed25519Wallet();
    const first = await signIn(a, wallet);
    expect((await profile(a, first.access_token)).status).toBe(200);
    const second = (await (await refresh(a, first.refresh_token)).json()) as Tokens;
    expect((await profile(a, second.access_token)).status).toBe(200);
    await bindings.unbind(wallet.address);
    expect((await refresh(a, second.refresh_token)).status).toBe(401);
    await a.stop();
  });
});

describe("upstream mode: case twins are other identities", () => {
  it("an admin unbind of 0xAB… when only 0xab… is bound answers 404 and leaves 0xab… bound", async () => {
    const a = embeddedApp(UPSTREAM);
    await a.init();
    const admin = await login(a);
    const lower = `0x${"ab".repeat(20)}`;
    expect((await walletSignIn(a, ed25519Wallet(), lower)).status).toBe(200);
    const unbind = await a.request(`/api/v1/auth/admin/bindings/0x${"AB".repeat(20)}`, { method: "DELETE", headers: { authorization: `Bearer ${admin.access_token}` } });
    expect(await answer(unbind)).toEqual([404, { detail: "address is not bound" }]);
    expect(await a.container.get(BINDING_STORE).binding(lower)).toBeDefined();
    await a.stop();
  });
});

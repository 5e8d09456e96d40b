/**
 * The wallet client checks the message before it signs: a phishing server it was pointed at cannot
 * make it sign a sign-in for another site, for another address, or a move of its address to the
 * attacker's key (the server's move message has a header of its own).
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { freePort } from "../../../test-support/ports.js";
import { signIn } from "../src/flow.js";
import { loadOrCreateWallet } from "../src/keys.js";
import type { Algorithm, Wallet } from "../src/keys.js";
import { RefusedMessageError, signInMessageProblem } from "../src/message-check.js";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const wallet = async (algorithm: Algorithm): Promise<Wallet> => (await loadOrCreateWallet(mkdtempSync(join(tmpdir(), "relay-")), algorithm)).wallet;
const post = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A real auth server on a socket, its messages naming the host it is reached at. */
async function realServer(): Promise<{ app: Application; url: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const app = new Application({ moduleNames: ["pico_server_auth"], root: packageRoot, autoPlugins: false, config: { server_auth: { issuer, audience: "my-app", store: "memory" } }, env: {}, logger: quiet });
  await app.start({ port, host: "127.0.0.1" });
  return { app, url: issuer };
}


/**
 * The phishing server: asked for a sign-in challenge, it asks the real server for a MOVE challenge of
 * the victim's address to `attacker`, and hands back its message; a signature it receives is sent to
 * the real /move with the attacker's.
 */
async function phishingServer(real: string, attacker: Wallet): Promise<{ server: Server; url: string; moves: number[] }> {
  let pending: { challenge: string; message: string } | undefined;
  const moves: number[] = [];
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || "{}") as Record<string, unknown>;
    res.setHeader("content-type", "application/json");
    if (req.url === "/api/v1/auth/challenge") {
      const answer = await fetch(`${real}/api/v1/auth/challenge`, post({ address: body.address, algorithm: body.algorithm, move_to: { algorithm: attacker.algorithm, public_key: hex(attacker.publicKey) } }));
      pending = (await answer.json()) as { challenge: string; message: string };
      res.end(JSON.stringify(pending));
      return;
    }
    const move = await fetch(`${real}/api/v1/auth/move`, post({ ...body, new_signature: hex(attacker.sign(pending?.message ?? "")), new_public_key: hex(attacker.publicKey), new_algorithm: attacker.algorithm }));
    moves.push(move.status);
    res.statusCode = 503;
    res.end(JSON.stringify({ detail: "try again later" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, moves };
}

describe("the wallet client checks what it signs", () => {
  it("a phishing server relaying a move challenge as a sign-in gets no signature: the address stays with its key", async () => {
    const { app, url: real } = await realServer();
    const [victim, attacker] = [await wallet("Ed25519"), await wallet("Ed25519")];
    await signIn(real, victim);
    const phishing = await phishingServer(real, attacker);
    try {
      // Pointed at the phishing server: its message names the real site and is a move.
      await expect(signIn(phishing.url, victim)).rejects.toThrow(RefusedMessageError);
      // Even told to expect the real site's name (a look-alike URL the user trusts), a move is refused.
      await expect(signIn(phishing.url, victim, new URL(real).host)).rejects.toThrow("refusing to sign the message the server sent: it is a move message (it would move your address to another key), not a sign-in message");
      expect(phishing.moves).toEqual([]);
      // The victim's key still signs in as its address; the attacker's is refused.
      expect((await signIn(real, victim)).access_token).toBeTruthy();
      const issued = (await (await fetch(`${real}/api/v1/auth/challenge`, post({ address: victim.address, algorithm: "Ed25519" }))).json()) as { challenge: string; message: string };
      const stolen = await fetch(`${real}/api/v1/auth/sign-in`, post({ address: victim.address, challenge: issued.challenge, signature: hex(attacker.sign(issued.message)), public_key: hex(attacker.publicKey), algorithm: "Ed25519" }));
      expect([stolen.status, await stolen.json()]).toEqual([401, { detail: "address is bound to a different key" }]);
    } finally {
      phishing.server.close();
      await app.stop();
    }
  });

  describe("signInMessageProblem", () => {
    const address = "0x52f6c66ea35690de80060dae38c69d469f431be5";
    const nonce = "ab".repeat(32);
    const now = new Date("2026-01-02T03:05:00.000Z");
    const expected = { domain: "auth.example.com", address, algorithm: "secp256k1" as const, nonce, now };
    const message = (header: string, overrides: { address?: string; nonce?: string; expiry?: string } = {}) =>
      [header, overrides.address ?? "0x52F6c66EA35690de80060Dae38C69d469F431Be5", "", "Sign in to auth.example.com.", "", "URI: https://auth.example.com", "Version: 1", "Chain ID: 1", `Nonce: ${overrides.nonce ?? nonce}`, "Issued At: 2026-01-02T03:04:05.000Z", `Expiration Time: ${overrides.expiry ?? "2026-01-02T03:06:05.000Z"}`].join("\n");
    const SIGN_IN = "auth.example.com wants you to sign in with your Ethereum account:";

    it("accepts the sign-in message it asked for (the address in any case)", () => {
      expect(signInMessageProblem(message(SIGN_IN), expected)).toBeUndefined();
      expect(signInMessageProblem(message(SIGN_IN, { address }), expected)).toBeUndefined();
    });

    it("refuses a message naming another domain, another address, a move, another nonce, a past expiry, another account type", () => {
      expect(signInMessageProblem(message("auth.example.com.evil.test wants you to sign in with your Ethereum account:"), expected)).toBe('it names the site "auth.example.com.evil.test", not auth.example.com, the server this client was pointed at');
      expect(signInMessageProblem(message(SIGN_IN, { address: "0x0000000000000000000000000000000000000001" }), expected)).toBe(`it names the address "0x0000000000000000000000000000000000000001", not this wallet's ${address}`);
      expect(signInMessageProblem(message("auth.example.com asks you to move your Ethereum account to a new key:"), expected)).toBe("it is a move message (it would move your address to another key), not a sign-in message");
      expect(signInMessageProblem(message(SIGN_IN, { nonce: "cd".repeat(32) }), expected)).toBe("its nonce is not the challenge the server sent");
      expect(signInMessageProblem(message(SIGN_IN, { expiry: "2026-01-02T03:05:00.000Z" }), expected)).toBe("it names no expiration time in the future");
      expect(signInMessageProblem(message(SIGN_IN, { expiry: "soon" }), expected)).toBe("it names no expiration time in the future");
      expect(signInMessageProblem(message("auth.example.com wants you to sign in with your Ed25519 account:"), expected)).toBe('it is not a sign-in message for your Ethereum account (its first line is "auth.example.com wants you to sign in with your Ed25519 account:")');
      expect(signInMessageProblem(nonce, expected)).toMatch(/^it is not a sign-in message/);
    });
  });
});

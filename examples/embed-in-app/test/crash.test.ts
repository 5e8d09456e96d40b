import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SqliteAuthStore } from "pico-server-auth/sqlite";
import { ed25519Wallet, postJson } from "../../../packages/pico-server-auth/test/support.js";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const WORKERS = 8;
const KILL_AFTER = 80;

interface Acknowledged {
  readonly address: string;
  readonly publicKey: string;
  readonly sid: string;
}

describe("kill -9 during a burst of sign-ins", () => {
  it("loses no binding or session the server had answered 200 for", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "embed-crash-"));
    const env = { ...process.env, PORT: "0", SERVER_AUTH__DATA_DIR: dataDir, SERVER_AUTH__ADMIN_PASSWORD: "crash-test-password",
      // One client asks for all the challenges here: lift the per-client quota.
      SERVER_AUTH__CHALLENGES_PER_CLIENT: "1000000" };
    const child = spawn(process.execPath, [main], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const acknowledged: Acknowledged[] = [];
    try {
      const deadline = Date.now() + 15_000;
      while (!/listening on http/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      expect(url, output).toBeDefined();

      let killed = false;
      async function worker(): Promise<void> {
        while (!killed) {
          const wallet = ed25519Wallet();
          const { address } = wallet;
          try {
            const asked = await fetch(`${url}/api/v1/auth/challenge`, postJson({ address, algorithm: wallet.algorithm }));
            if (asked.status !== 200) throw new Error(`challenge answered ${asked.status}: ${await asked.text()}`);
            const { challenge, message } = (await asked.json()) as { challenge: string; message: string };
            const res = await fetch(`${url}/api/v1/auth/sign-in`, postJson({ address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: "Ed25519" }));
            if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
            const { access_token } = (await res.json()) as { access_token: string };
            const { sid } = JSON.parse(Buffer.from(access_token.split(".")[1] as string, "base64url").toString()) as { sid: string };
            acknowledged.push({ address, publicKey: wallet.publicKeyHex, sid });
            if (acknowledged.length >= KILL_AFTER && !killed) {
              killed = true;
              child.kill("SIGKILL");
            }
          } catch (error) {
            // Requests in flight when the process dies fail: they were never acknowledged.
            if (!killed) throw error;
          }
        }
      }
      await Promise.all(Array.from({ length: WORKERS }, worker));
      expect(await exited).toBe("SIGKILL");
    } finally {
      // Whatever failed above, the server must not outlive the test.
      child.kill("SIGKILL");
    }
    const store = SqliteAuthStore.open(join(dataDir, "auth.db"));
    try {
      for (const { address, publicKey, sid } of acknowledged) {
        expect((await store.family(sid))?.sub, sid).toBe(address);
        // Binding another key returns the holder: the acknowledged key, if the binding survived.
        expect((await store.bindAddress(address, { algorithm: "Ed25519", publicKey: "00".repeat(32) })).publicKey).toBe(publicKey);
      }
    } finally {
      await store.close();
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
  });
});

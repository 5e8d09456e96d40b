import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runProgram } from "../../../packages/pico-boot/test/running-program.js";
import type { RunningProgram } from "../../../packages/pico-boot/test/running-program.js";
import { ed25519Wallet, postJson } from "../../../packages/pico-server-auth/test/support.js";
import { freePort } from "../../../test-support/ports.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

const started: RunningProgram[] = [];
afterEach(() => {
  for (const program of started.splice(0)) if (program.child.exitCode === null && program.child.signalCode === null) program.child.kill("SIGKILL");
});

const CHALLENGES = 6;

/** A request on a connection of its own, so the cluster hands requests to either worker. */
async function post(url: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/v1/auth/${path}`, postJson(body, { connection: "close" }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The pids that logged a request to `route`. */
function pidsOf(program: RunningProgram, route: string): Set<number> {
  return new Set([...program.output().matchAll(/^\{.*"route":"([^"]+)".*$/gm)].filter(([, r]) => r === route).map(([line]) => (JSON.parse(line) as { pid: number }).pid));
}

describe("embed-in-app with WORKERS=2 on the default SQLite store: challenges and rate limits shared through shared.db", () => {
  it("every challenge signs in, whichever worker issued it and whichever gets the sign-in; the challenge quota counts over both workers", { timeout: 60_000 }, async () => {
    const program = runProgram(main, {
      WORKERS: "2",
      PORT: String(await freePort()),
      SERVER_AUTH__DATA_DIR: mkdtempSync(join(tmpdir(), "embed-workers-shared-")),
      SERVER_AUTH__CHALLENGES_PER_CLIENT: String(CHALLENGES),
      SERVER_AUTH__ADMIN_PASSWORD: "a strong password for the workers test",
    }, { cwd: packageDir });
    started.push(program);
    const url = (await program.waitFor(/listening on (http:\/\/[\d.:]+) with 2 workers/))[1] as string;
    const wallet = ed25519Wallet();
    const issued = [];
    for (let i = 0; i < CHALLENGES; i++) {
      const { status, body } = await post(url, "challenge", { address: wallet.address, algorithm: wallet.algorithm });
      expect(status).toBe(200);
      issued.push(body as { challenge: string; message: string });
    }
    // One more from the same client: over the quota, counted by both workers together.
    expect((await post(url, "challenge", { address: wallet.address, algorithm: wallet.algorithm })).status).toBe(429);
    for (const { challenge, message } of issued) {
      const signIn = await post(url, "sign-in", { address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm });
      expect([signIn.status, signIn.body.detail]).toEqual([200, undefined]);
    }
    // Both workers issued challenges and signed in: with challenges per worker, some sign-ins would have failed.
    expect([pidsOf(program, "/api/v1/auth/challenge").size, pidsOf(program, "/api/v1/auth/sign-in").size]).toEqual([2, 2]);
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);
  });
});

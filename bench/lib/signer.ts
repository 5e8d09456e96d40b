/**
 * A helper process that signs ML-DSA-65 challenges (noble takes ~8 ms a signature) on the server
 * core while no server is measured, so that preparing a sign-in run takes half as long. Only ever
 * used between measurements.
 */
import { fork, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import type { Pinning } from "./proc.js";

interface Job {
  readonly id: number;
  readonly items: readonly { readonly seedHex: string; readonly message: string }[];
}

export interface Signer {
  sign(items: readonly { readonly seedHex: string; readonly message: string }[]): Promise<Uint8Array[]>;
  stop(): void;
}

export function startSigner(pinning: Pinning): Signer | undefined {
  if (!pinning.taskset || pinning.serverCore === undefined) return undefined;
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--child"], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [] });
  // Onto the server core (children inherit this process's core); it only runs between measurements.
  if (child.pid !== undefined) spawnSync("taskset", ["-a", "-p", "-c", String(pinning.serverCore), String(child.pid)], { stdio: "ignore" });
  const pending = new Map<number, { resolve: (signatures: Uint8Array[]) => void; reject: (error: Error) => void }>();
  let next = 0;
  child.on("message", (m: { id: number; signatures: string[] }) => {
    pending.get(m.id)?.resolve(m.signatures.map((s) => Buffer.from(s, "hex")));
    pending.delete(m.id);
  });
  child.on("exit", () => {
    for (const p of pending.values()) p.reject(new Error("ML-DSA signer exited"));
    pending.clear();
  });
  return {
    sign(items) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, items } satisfies Job);
      });
    },
    stop: () => {
      child.kill();
    },
  };
}

if (process.argv[2] === "--child") {
  const keys = new Map<string, Uint8Array>();
  process.on("message", (job: Job) => {
    const signatures = job.items.map(({ seedHex, message }) => {
      let secretKey = keys.get(seedHex);
      if (!secretKey) {
        secretKey = ml_dsa65.keygen(Buffer.from(seedHex, "hex")).secretKey;
        keys.set(seedHex, secretKey);
      }
      return Buffer.from(ml_dsa65.sign(new TextEncoder().encode(message), secretKey)).toString("hex");
    });
    process.send?.({ id: job.id, signatures });
  });
  process.on("disconnect", () => process.exit(0));
}

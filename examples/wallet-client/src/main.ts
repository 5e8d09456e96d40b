import { parseArgs } from "node:util";
import { decodeClaims, fetchProfile, signIn, UnreachableError } from "./flow.js";
import { ALGORITHMS, loadOrCreateWallet } from "./keys.js";

const USAGE = `usage: node dist/main.js [--base-url URL] [--keys-dir DIR]

For each of ML-DSA-65, Ed25519 and secp256k1: create or load a key in DIR, sign in to the
pico-server-auth at URL (challenge -> sign -> sign-in), then call GET /api/profile with the token.

  --base-url URL   the server (default http://localhost:8100)
  --keys-dir DIR   where the keys are kept, one JSON file per algorithm, mode 0600 (default ./.wallet-keys)`;

const CLI_OPTIONS = {
  "base-url": { type: "string", default: "http://localhost:8100" },
  "keys-dir": { type: "string", default: ".wallet-keys" },
  help: { type: "boolean", short: "h" },
} as const;

function options(): { baseUrl: string; keysDir: string } {
  const values = (() => {
    try {
      return parseArgs({ options: CLI_OPTIONS }).values;
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${USAGE}`);
    }
  })();
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const baseUrl = values["base-url"];
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) throw new Error(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  // Paths are appended to it: no trailing slash, or "//api/..." would miss the routes.
  return { baseUrl: baseUrl.replace(/\/+$/, ""), keysDir: values["keys-dir"] };
}

/** Runs one algorithm's sign-in and profile call, printing each step; throws on the first failure. */
async function run(baseUrl: string, keysDir: string, algorithm: (typeof ALGORITHMS)[number]): Promise<void> {
  const step = (name: string, value: string) => console.log(`  ${`${name}:`.padEnd(11)}${value}`);
  console.log(`\n== ${algorithm} ==`);
  const { wallet, path, created } = await loadOrCreateWallet(keysDir, algorithm);
  step("key", `${created ? "created" : "loaded"} ${path} (public key ${wallet.publicKey.length} bytes)`);
  step("address", wallet.address);
  const result = await signIn(baseUrl, wallet);
  step("challenge", `${result.challenge} (valid ${result.ttl}s)`);
  step("signature", `${result.signature.length} bytes`);
  step("signed in", JSON.stringify(decodeClaims(result.access_token)));
  step("profile", JSON.stringify(await fetchProfile(baseUrl, result.access_token)));
}

async function main(): Promise<number> {
  const { baseUrl, keysDir } = options();
  console.log(`wallet-client: signing in to ${baseUrl}, keys in ${keysDir}`);
  const failed: string[] = [];
  for (const algorithm of ALGORITHMS) {
    try {
      await run(baseUrl, keysDir, algorithm);
    } catch (error) {
      console.error(`error: ${algorithm}: ${(error as Error).message}`);
      // The server is down: the other algorithms would only repeat the same message.
      if (error instanceof UnreachableError) return 1;
      failed.push(algorithm);
    }
  }
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join(", ")}`);
    return 1;
  }
  console.log(`\nall ${ALGORITHMS.length} wallets signed in`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    // Bad arguments and the like: a one-line message, not a stack trace.
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 2;
  },
);

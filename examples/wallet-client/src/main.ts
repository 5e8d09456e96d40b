import { parseArgs } from "node:util";
import { decodeClaims, fetchProfile, signIn, UnreachableError } from "./flow.js";
import { ALGORITHMS, loadOrCreateWallet } from "./keys.js";
import type { Algorithm } from "./keys.js";

const USAGE = `usage: node dist/main.js [--algorithm ALG]... [--base-url URL] [--api-url URL] [--domain HOST] [--keys-dir DIR]

For each algorithm: create or load a key in DIR, sign in to the pico-server-auth at --base-url
(challenge -> sign the sign-in message -> sign-in), then call GET /api/profile at --api-url with
the token.

  --algorithm ALG  ML-DSA-65, Ed25519 or secp256k1; repeat it for several (default: all three)
  --base-url URL   the auth service (default http://localhost:8100)
  --api-url URL    the service with GET /api/profile (default: the --base-url value); set it when
                   the API runs apart from the auth service, as in the standalone example
  --domain HOST    the site sign-in messages must name, host[:port] (default: the --base-url's);
                   set it when the server's sign_in_domain or issuer names another host than the
                   one you reach it at. A message naming another site, another address, or a move
                   of the address to another key, is never signed
  --keys-dir DIR   where the keys are kept, one JSON file per algorithm, mode 0600 (default ./.wallet-keys)`;

const CLI_OPTIONS = {
  algorithm: { type: "string", multiple: true },
  "base-url": { type: "string", default: "http://localhost:8100" },
  "api-url": { type: "string" },
  domain: { type: "string" },
  "keys-dir": { type: "string", default: ".wallet-keys" },
  help: { type: "boolean", short: "h" },
} as const;

interface Options {
  algorithms: Algorithm[];
  baseUrl: string;
  apiUrl: string;
  /** host[:port] sign-in messages must name. */
  domain: string;
  keysDir: string;
}

function options(): Options {
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
  const baseUrl = httpUrl("--base-url", values["base-url"]);
  const apiUrl = values["api-url"] === undefined ? baseUrl : httpUrl("--api-url", values["api-url"]);
  return { algorithms: algorithmsOf(values.algorithm), baseUrl, apiUrl, domain: values.domain ?? new URL(baseUrl).host, keysDir: values["keys-dir"] };
}

/** The --algorithm values, checked and without repeats, in the order given; all three when none. */
function algorithmsOf(values: string[] | undefined): Algorithm[] {
  if (values === undefined) return [...ALGORITHMS];
  for (const value of values) {
    if (!(ALGORITHMS as readonly string[]).includes(value)) throw new Error(`--algorithm must be one of ${ALGORITHMS.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return [...new Set(values as Algorithm[])];
}

/** A URL option's value, checked: http(s), nothing after the path, and no trailing slash (paths are appended to it). */
function httpUrl(option: string, value: string): string {
  // "?" or "#" would swallow the appended paths, even when empty (so new URL() reports no search or hash).
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol) || /[?#]/.test(value)) {
    throw new Error(`${option} must be an http(s) URL without a query or fragment, got ${JSON.stringify(value)}`);
  }
  // Without this, "http://host:8100/" would make "//api/..." and miss the routes.
  return value.replace(/\/+$/, "");
}

/** Runs one algorithm's sign-in and profile call, printing each step; throws on the first failure. */
async function run({ baseUrl, apiUrl, domain, keysDir }: Options, algorithm: Algorithm): Promise<void> {
  const step = (name: string, value: string) => console.log(`  ${`${name}:`.padEnd(11)}${value}`);
  console.log(`\n== ${algorithm} ==`);
  const { wallet, path, created } = await loadOrCreateWallet(keysDir, algorithm);
  step("key", `${created ? "created" : "loaded"} ${path} (public key ${wallet.publicKey.length} bytes)`);
  step("address", wallet.address);
  const result = await signIn(baseUrl, wallet, domain);
  step("challenge", `${result.challenge} (valid ${result.ttl}s)`);
  step("message", `${result.message.split("\n")[0]} (${result.message.split("\n").length} lines)`);
  step("signature", `${result.signature.length} bytes`);
  step("signed in", JSON.stringify(decodeClaims(result.access_token)));
  step("profile", JSON.stringify(await fetchProfile(apiUrl, result.access_token)));
}

async function main(): Promise<number> {
  const opts = options();
  console.log(`wallet-client: signing in to ${opts.baseUrl}, profile from ${opts.apiUrl}, keys in ${opts.keysDir}`);
  const failed: string[] = [];
  for (const algorithm of opts.algorithms) {
    try {
      await run(opts, algorithm);
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
  console.log(opts.algorithms.length === 1 ? "\nthe wallet signed in" : `\nall ${opts.algorithms.length} wallets signed in`);
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

/**
 * Property-based fuzzing of the auth packages' configuration through a real Application boot:
 * environment strings for every `SERVER_AUTH__*` and `AUTH_CLIENT__*` key (any text, numbers at and
 * past their bounds, lists, unknown names). Boot either succeeds, or fails with the packages' own
 * configuration errors (pico-ioc's ConfigurationError, ServerAuthConfigurationError,
 * AuthConfigurationError, possibly wrapped by the component that found them), never a TypeError or
 * another crash; and init + stop finish within a timeout.
 *
 * The seed is fixed (FUZZ_SEED overrides it) and printed with the run count.
 */
import fc from "fast-check";
import { AuthConfigurationError } from "pico-client-auth";
import { ConfigurationError } from "pico-ioc";
import { describe, expect, it } from "vitest";
import { ServerAuthConfigurationError } from "../src/index.js";
import { serverApp } from "./support.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const RUNS = 150;
const TIMEOUT_MS = 10_000;

// store, data_dir and sqlite_synchronous stay out: a fuzzed data_dir would create folders here.
const SERVER_KEYS = ["issuer", "audience", "algorithm", "access_token_expire_minutes", "refresh_token_expire_days", "challenge_ttl_seconds", "supported_wallet_algorithms", "max_challenges", "challenges_per_client", "auto_create_admin", "admin_email", "admin_password", "admin_password_hash", "login_max_failures", "login_window_seconds", "argon2_memory_kib", "argon2_time_cost", "key_rotation_days", "revocation_feed_bearer", "allow_weak_settings", "allow_weak_admin_password", "wallet_mode", "sign_in_domain", "siwe_chain_id"];
const CLIENT_KEYS = ["enabled", "issuer", "audience", "jwks_url", "accepted_algorithms", "jwks_ttl_seconds", "jwks_cooldown_seconds", "jwks_timeout_ms", "leeway_seconds", "token_cache_size", "max_token_length", "revocation_endpoint", "revocation_ttl_seconds", "revocation_fail_open", "revocation_bearer", "max_token_lifetime_seconds"];

const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.constantFrom("", " ", "0", "-1", "1", "2", "1.5", "1e3", "1e309", "99999999999", "9007199254740993", "0x10", "NaN", "Infinity", "true", "false", "yes", "off"),
  fc.constantFrom("RS256", "ES256", "EdDSA", "ML-DSA-65", "HS256", "none", "Ed25519,secp256k1", "ML-DSA-65,Ed25519,secp256k1", "[]", "[\"Ed25519\"]", "[1]", "[", "RSA,,"),
  fc.constantFrom("https://auth.example.com", "http://localhost:8100", "http://evil.example.com", "secure", "upstream", "app.example.com:8443", "https://u:p@auth.example.com", "ftp://x", "//x", "http://[::1]:1/jwks", "not a url", "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "$argon2", "admin", "short", "a long enough password", "password1234", "0123456789abcdef0123456789abcdef"),
);
const envName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SERVER_KEYS).map((k) => `SERVER_AUTH__${k.toUpperCase()}`) },
  { weight: 4, arbitrary: fc.constantFrom(...CLIENT_KEYS).map((k) => `AUTH_CLIENT__${k.toUpperCase()}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("SERVER_AUTH__", "AUTH_CLIENT__", "WEB__"), fc.string({ maxLength: 10 })).map(([p, s]) => `${p}${s.toUpperCase()}`) },
);
const environment = fc.dictionary(envName, value, { maxKeys: 4 });

function isConfigError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ConfigurationError || e instanceof ServerAuthConfigurationError || e instanceof AuthConfigurationError) return true;
  }
  return false;
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("fuzz: the auth packages' configuration, through an Application boot", () => {
  it(`SERVER_AUTH__* and AUTH_CLIENT__* env strings: boot succeeds or fails with a configuration error (${RUNS} runs)`, async () => {
    const outcomes = { booted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(environment, async (env) => {
        // EdDSA unless the env says otherwise: an RSA key per run would dominate the run time.
        const app = serverApp({ embedded: true, env: { SERVER_AUTH__STORE: "memory", ...env }, server: { algorithm: "EdDSA" } });
        try {
          await withTimeout(app.init(), "init");
          outcomes.booted++;
        } catch (error) {
          outcomes.refused++;
          if (!isConfigError(error)) throw new Error(`boot failed with ${String(error)} for ${JSON.stringify(env)}`, { cause: error });
        } finally {
          await withTimeout(app.stop(), `stop for ${JSON.stringify(env)}`);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`fuzz pico-server-auth config through boot: ${RUNS} runs, seed ${SEED}: ${outcomes.booted} booted, ${outcomes.refused} refused with a configuration error`);
  }, 120_000);

  it("a valid env boots", async () => {
    const app = serverApp({ embedded: true, env: { SERVER_AUTH__STORE: "memory", SERVER_AUTH__CHALLENGE_TTL_SECONDS: "30", AUTH_CLIENT__LEEWAY_SECONDS: "0" } });
    await app.init();
    await app.stop();
    expect(true).toBe(true);
  });
});

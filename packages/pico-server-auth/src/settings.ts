import { configured, setting } from "pico-ioc";
import type { SettingsSection } from "pico-ioc";
import { MAX_ARGON2_MEMORY_KIB, MAX_ARGON2_TIME_COST } from "./config/phc.js";

/** The `server_auth` config section (env: `SERVER_AUTH__ADMIN_PASSWORD`, ...). */
@configured("server_auth")
export class ServerAuthSettings {
  @setting({ type: "url", description: "`iss` of every token, an absolute http(s) URL; must equal auth_client.issuer" })
  issuer: string = "http://localhost:8100";

  @setting({ description: "`aud` of every token; must equal auth_client.audience" })
  audience: string = "pico";

  @setting({ choices: ["RS256", "ES256", "EdDSA", "ML-DSA-65"], description: "Token signing algorithm" })
  algorithm: string = "RS256";

  @setting({ choices: ["inline", "separate"], description: "Where ML-DSA-65 public keys (kty AKP) are published. inline: /api/v1/auth/jwks holds every key. separate: it holds the classical keys only, for verifiers that refuse a whole key set holding an AKP key (joserfc, jwcrypto, python-jose, go-jose); ML-DSA keys are at /api/v1/auth/jwks/ml-dsa. /api/v1/auth/jwks/all holds every key in both" })
  mlDsaJwks: string = "inline";

  @setting({ type: "integer", min: 1, max: 1440, description: "Access token lifetime (at most a day)" })
  accessTokenExpireMinutes: number = 15;

  @setting({ type: "integer", min: 1, max: 365, description: "Refresh token lifetime" })
  refreshTokenExpireDays: number = 7;

  @setting({ type: "integer", min: 1, max: 3600, description: "Wallet challenge lifetime" })
  challengeTtlSeconds: number = 60;

  @setting({ type: "string[]", choices: ["ML-DSA-65", "Ed25519", "secp256k1"], description: "Wallet algorithms accepted by /sign-in" })
  supportedWalletAlgorithms: string[] = ["ML-DSA-65", "Ed25519", "secp256k1"];

  @setting({ type: "integer", min: 1, max: 1_000_000, description: "Outstanding challenges kept at most (oldest evicted first)" })
  maxChallenges: number = 10_000;

  @setting({ type: "integer", min: 1, max: 1_000_000_000, description: "Challenges one client may request per challenge TTL, then 429 (a count: benchmarks from one client raise it)" })
  challengesPerClient: number = 30;

  @setting({ description: "Enables POST /login for the bootstrap admin" })
  autoCreateAdmin: boolean = false;

  @setting({ description: "The bootstrap admin's email" })
  adminEmail: string = "admin@pico.local";

  @setting({ type: "string", optional: true, description: "The admin password: at least 12 characters, not a common password (unless allow_weak_admin_password); checked at boot, hashed with argon2id in the background once boot is over" })
  adminPassword?: string;

  @setting({ type: "string", optional: true, description: "An argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash) instead of admin_password, so no plaintext sits in config; its m and t must meet the OWASP table unless allow_weak_settings" })
  adminPasswordHash?: string;

  @setting({ type: "integer", min: 1, max: 1_000_000, description: "Failed logins allowed per (email, client) in the window, then 429 for that pair (per client over all emails: four times this); an email's failures beyond it only slow its logins down" })
  loginMaxFailures: number = 5;

  @setting({ type: "integer", min: 1, max: 86_400, description: "Window of the login rate limit" })
  loginWindowSeconds: number = 300;

  @setting({ type: "integer", min: 1024, max: MAX_ARGON2_MEMORY_KIB, description: "argon2id memory (KiB); with argon2_time_cost at least a row of the OWASP table (19456 KiB with t 2, 47104 with t 1, ...) unless allow_weak_settings" })
  argon2MemoryKib: number = 19_456;

  @setting({ type: "integer", min: 1, max: MAX_ARGON2_TIME_COST, description: "argon2id iterations; see argon2_memory_kib" })
  argon2TimeCost: number = 2;

  @setting({ choices: ["sqlite", "memory", "postgres"], description: "Where signing keys, wallet bindings and sessions are kept: sqlite (data_dir/auth.db, one machine), memory (lost on restart, one process) or postgres (postgres_url, shared by every instance)" })
  store: string = "sqlite";

  // Scale-out (issue 16): shared stores, change signals, key encryption.
  // Not type "url" (http(s) only): checked in config/settings-check.ts, never echoed (it may hold a password).
  @setting({ type: "string", optional: true, description: "PostgreSQL connection URL (postgres://user:password@host:port/database) for store: postgres; its password is never logged" })
  postgresUrl?: string;

  @setting({ type: "string", optional: true, description: "Redis connection URL (redis://[:password@]host:port[/db]): challenges, rate-limit counters and change signals shared by every instance; without it they stay in this process (one instance; workers share them through data_dir)" })
  redisUrl?: string;

  @setting({ description: "Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis" })
  redisKeyPrefix: string = "pico-auth:";

  @setting({ type: "integer", min: 50, max: 60_000, description: "How often each instance rereads the revocation feed and the signing keys when no change signal arrives (the fallback of Redis pub/sub or LISTEN/NOTIFY)" })
  syncIntervalMs: number = 500;

  @setting({ type: "string", optional: true, description: "Key encryption key sealing private signing keys at rest (AES-256-GCM): 32 bytes as 64 hex characters or base64; without it (and key_encryption_key_file) keys are stored unsealed and boot warns" })
  keyEncryptionKey?: string;

  @setting({ type: "string", optional: true, description: "File holding key_encryption_key (e.g. a mounted secret), read at boot" })
  keyEncryptionKeyFile?: string;

  @setting({ type: "string[]", description: "Earlier key encryption keys (same forms, comma-separated in env): they only open the signing keys they sealed, so the key encryption key can change; drop one once the keys it sealed have left the store (refresh_token_expire_days after the next rotation)" })
  keyEncryptionKeyPrevious: string[] = [];

  @setting({ choices: ["full", "normal"], description: "SQLite commits: full syncs each one to disk (survives power loss); normal only at checkpoints (survives a killed process), for more sign-ins per second" })
  sqliteSynchronous: string = "full";

  @setting({ description: "Folder of the SQLite store, created with mode 0700; a relative path is taken from the working directory" })
  dataDir: string = ".pico-auth";

  @setting({ type: "integer", min: 0, max: 3650, description: "Days a signing key signs before a new one takes over; 0: only on SigningKeys.rotate()" })
  keyRotationDays: number = 90;

  @setting({ type: "string", optional: true, description: "Service credential (bearer token) the revocation feed requires: at least 32 printable ASCII characters, no spaces; without it the feed is not served" })
  revocationFeedBearer?: string;

  // Switches that admit what boot otherwise refuses (config/settings-check.ts).
  @setting({ description: "For tests only: admits argon2_memory_kib / argon2_time_cost and an admin_password_hash below the OWASP table (fast hashing)" })
  allowWeakSettings: boolean = false;

  @setting({ description: "Admits an admin_password shorter than 12 characters, blank, repetitive or common (for tests and throwaway setups)" })
  allowWeakAdminPassword: boolean = false;

  // Sessions (issue 14): an absolute lifetime, a refresh rate limit, RFC 9068 access tokens.
  @setting({ type: "integer", min: 1, max: 3650, description: "Absolute session lifetime: no refresh extends a session (or its tokens) past this many days after its sign-in or login" })
  sessionMaxDays: number = 30;

  @setting({ type: "integer", min: 1, max: 1_000_000, description: "Refreshes one client may make per 60 s, then 429" })
  refreshesPerClient: number = 60;

  @setting({ choices: ["at+jwt", "JWT"], description: "Header `typ` of access tokens: at+jwt (RFC 9068), or JWT as upstream" })
  accessTokenTyp: string = "at+jwt";

  @setting({ type: "string", optional: true, description: "`client_id` claim of access tokens (RFC 9068); default: the audience" })
  clientId?: string;

  @setting({ description: "Starts a fresh SQLite store when the one in data_dir fails its boot check (missing, empty, corrupt, or another store's), moving the old files aside; without it such a store refuses boot. One-shot: it never resets the store it created while it stays on; one start with it off re-arms it. Never acts while store.json cannot be read. Turn it off again once started" })
  reinitializeStore: boolean = false;

  // Wallet identity (issue 14): addresses owned by keys, sign-in messages that name the site.
  @setting({ choices: ["secure", "upstream"], description: "secure: an address must derive from its key, wallets sign a sign-in message naming this site (EIP-4361 / CAIP-122); upstream: the bare challenge, any address, first key wins (unsafe, for upstream wallet clients only)" })
  walletMode: string = "secure";

  @setting({ type: "string", optional: true, description: "The domain (host[:port]) sign-in messages name; default: the issuer's" })
  signInDomain?: string;

  @setting({ type: "integer", min: 1, max: Number.MAX_SAFE_INTEGER, description: "Chain ID of Sign-In with Ethereum messages (secp256k1 wallets)" })
  siweChainId: number = 1;

  // Agent delegation (issue 17): RFC 8693 token exchange at TOKEN_PATH (docs/agent-delegation.md).
  @setting({ type: "string[] map", description: 'Scopes each role may delegate to agents, as patterns ("*" any, "billing:*" billing and billing:..., else exact), e.g. {"admin": ["*"], "wallet": ["profile:read"]}; a role not listed delegates nothing. Env: JSON' })
  roleScopes: Readonly<Record<string, readonly string[]>> = {};

  @setting({ type: "integer", min: 1, max: 60, description: "Agent token lifetime; never past the user's session end" })
  agentTokenExpireMinutes: number = 5;

  @setting({ description: "Accepts an agent token as subject_token of the token exchange (its scopes at most, `act` nested)" })
  allowAgentTokenExchange: boolean = false;

  @setting({ type: "string", optional: true, description: "`aud` of agent tokens; default: \"agent:\" + audience. Must differ from audience, so an access-token check refuses them" })
  agentAudience?: string;
}

// `config.server_auth` of `new Application({ moduleNames: ["pico_server_auth"], config })` is checked
// against this class at compile time (pico-ioc's PicoModuleSections).
declare module "pico-ioc" {
  interface PicoModuleSections {
    pico_server_auth: { readonly server_auth?: SettingsSection<ServerAuthSettings> };
  }
}

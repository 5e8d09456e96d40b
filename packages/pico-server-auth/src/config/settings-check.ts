import { LOGGER, component, inject } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { ServerAuthConfigurationError } from "../errors.js";
import { keyEncryptionKeys } from "../keys/key-encryption-key.js";
import { ServerAuthSettings } from "../settings.js";
import { postgresUrlProblem } from "../state/postgres/url.js";
import { redisUrlProblem } from "../state/redis/url.js";
import { checkAgentSettings } from "./agent-settings-check.js";
import { meetsOwasp, owaspRule } from "./argon2-policy.js";
import { adminPasswordWeakness } from "./password-policy.js";
import { parseArgon2idPhc } from "./phc.js";
import { checkStoreSharing } from "./store-sharing-check.js";

/** Shortest revocation_feed_bearer: 32 characters of a random base64 secret are 192 bits. */
export const MIN_FEED_BEARER_LENGTH = 32;

/**
 * Fails boot on server_auth settings that cannot work or are not safe to run with; each message names
 * the setting (never its secret value). Range bounds are the @setting's own; these are the rules that
 * look at several settings or at a value's content. Runs in a constructor, so before any onInit opens
 * the store or makes a signing key.
 */
@component()
export class ServerAuthSettingsCheck {
  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger) {
    checkServerAuthSettings(settings);
    checkStoreSharing(settings.store);
    // Unsafe modes are opt-in, and said out loud every boot.
    if (settings.allowWeakSettings) logger.warn("pico-server-auth: server_auth.allow_weak_settings is on: argon2 parameters below the OWASP table are admitted; for tests only");
    if (settings.allowWeakAdminPassword) logger.warn("pico-server-auth: server_auth.allow_weak_admin_password is on: a short or common admin password is admitted; not for production");
  }
}

export function checkServerAuthSettings(s: ServerAuthSettings): void {
  const weakAllowed = "; server_auth.allow_weak_settings admits it (for tests only)";
  if (!s.allowWeakSettings && !meetsOwasp(s.argon2MemoryKib, s.argon2TimeCost)) {
    fail(`server_auth.argon2_memory_kib = ${s.argon2MemoryKib} with server_auth.argon2_time_cost = ${s.argon2TimeCost} is below the OWASP table (${owaspRule()})${weakAllowed}`);
  }
  const bearer = s.revocationFeedBearer;
  if (bearer !== undefined && (bearer.length < MIN_FEED_BEARER_LENGTH || !/^[\x21-\x7e]+$/.test(bearer))) {
    // The value is a secret: the message says what is wrong with it, not what it is.
    fail(`server_auth.revocation_feed_bearer must be at least ${MIN_FEED_BEARER_LENGTH} printable ASCII characters without spaces (a random secret, e.g. 24 random bytes in base64url); got ${bearer.length} characters`);
  }
  checkPostgresSettings(s);
  checkRedisSettings(s);
  // Parsed (the file read) for its errors only; the values stay with KEY_ENCRYPTION.
  keyEncryptionKeys(s);
  checkAgentSettings(s);
  if (!s.autoCreateAdmin) return;
  if (s.adminPasswordHash !== undefined) {
    const phc = parseArgon2idPhc(s.adminPasswordHash);
    if (typeof phc === "string") fail(`server_auth.admin_password_hash must be an argon2id PHC string: ${phc}`);
    if (!s.allowWeakSettings && !meetsOwasp(phc.memoryKib, phc.timeCost)) {
      fail(`server_auth.admin_password_hash has m = ${phc.memoryKib} KiB, t = ${phc.timeCost}: below the OWASP table (${owaspRule()}); hash the password again with stronger parameters${weakAllowed}`);
    }
    return;
  }
  if (!s.adminPassword) {
    fail("server_auth.auto_create_admin needs server_auth.admin_password (env SERVER_AUTH__ADMIN_PASSWORD) or admin_password_hash");
  }
  const weakness = s.allowWeakAdminPassword ? undefined : adminPasswordWeakness(s.adminPassword);
  if (weakness) {
    fail(`server_auth.admin_password is too weak: ${weakness}. Choose a long passphrase (at least 12 characters, not a common password); server_auth.allow_weak_admin_password admits it (not for production)`);
  }
}

/** The messages say what is wrong with postgres_url, never what it is: it may hold a password. */
function checkPostgresSettings(s: ServerAuthSettings): void {
  if (s.store === "postgres" && s.postgresUrl === undefined) {
    fail("server_auth.store = postgres needs server_auth.postgres_url (env SERVER_AUTH__POSTGRES_URL), e.g. postgres://user:password@host:5432/database");
  }
  const problem = s.postgresUrl === undefined ? undefined : postgresUrlProblem(s.postgresUrl);
  if (problem !== undefined) fail(`server_auth.postgres_url ${problem}`);
}

/** The same for redis_url; and a prefix that reads unambiguously in redis-cli and logs (keys are <prefix><kind>:<id>). */
function checkRedisSettings(s: ServerAuthSettings): void {
  const problem = s.redisUrl === undefined ? undefined : redisUrlProblem(s.redisUrl);
  if (problem !== undefined) fail(`server_auth.redis_url ${problem}`);
  if (!/^[\x21-\x7e]{1,100}$/.test(s.redisKeyPrefix)) {
    fail(`server_auth.redis_key_prefix must be 1 to 100 printable ASCII characters without spaces (e.g. "pico-auth:"); got ${JSON.stringify(s.redisKeyPrefix.slice(0, 100))}`);
  }
}

function fail(message: string): never {
  throw new ServerAuthConfigurationError(message);
}

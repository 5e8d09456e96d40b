/** An argon2id hash in PHC string format, as `admin_password_hash` takes it. */
export interface Argon2idPhc {
  readonly memoryKib: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** Largest argon2 memory accepted anywhere here (4 GiB): also server_auth.argon2_memory_kib's bound. */
export const MAX_ARGON2_MEMORY_KIB = 4_194_304;
/** Most argon2 passes accepted: also server_auth.argon2_time_cost's bound. */
export const MAX_ARGON2_TIME_COST = 64;
const MAX_PARALLELISM = 255;
const MIN_SALT_BYTES = 8;
const MIN_HASH_BYTES = 16;

const SHAPE = /^\$argon2id\$v=19\$([a-z0-9=,]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;

/**
 * Parses `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>` strictly: argon2id only, version
 * 19, exactly the parameters m, t and p once each (in any order: node's argon2 writes m,p,t, the
 * reference CLI m,t,p), plain decimals, canonical unpadded base64 with a salt of at least 8 and a hash
 * of at least 16 bytes. Returns what is wrong as a string, or the parameters. A string argon2 would
 * only choke on at the first login is refused here, at boot.
 */
export function parseArgon2idPhc(text: string): Argon2idPhc | string {
  if (text.startsWith("$argon2i$") || text.startsWith("$argon2d$")) return `it is ${text.split("$")[1]}; only argon2id is accepted`;
  const match = SHAPE.exec(text);
  if (!match) return "expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> (base64 without padding)";
  const [, params, salt, hash] = match as unknown as [string, string, string, string];
  const values = new Map<string, number>();
  for (const pair of params.split(",")) {
    const [name, value, extra] = pair.split("=");
    if (name === undefined || !["m", "t", "p"].includes(name) || values.has(name) || value === undefined || extra !== undefined || !DECIMAL.test(value)) {
      return `the parameters must be m, t and p, once each, as plain decimals; got "${params}"`;
    }
    values.set(name, Number(value));
  }
  const memoryKib = values.get("m");
  const timeCost = values.get("t");
  const parallelism = values.get("p");
  if (memoryKib === undefined || timeCost === undefined || parallelism === undefined) return `the parameters must be m, t and p, once each; got "${params}"`;
  if (parallelism < 1 || parallelism > MAX_PARALLELISM) return `p must be 1..${MAX_PARALLELISM}, got ${parallelism}`;
  if (memoryKib < 8 * parallelism || memoryKib > MAX_ARGON2_MEMORY_KIB) return `m must be ${8 * parallelism}..${MAX_ARGON2_MEMORY_KIB} KiB, got ${memoryKib}`;
  if (timeCost < 1 || timeCost > MAX_ARGON2_TIME_COST) return `t must be 1..${MAX_ARGON2_TIME_COST}, got ${timeCost}`;
  const saltBytes = canonicalBase64Length(salt);
  const hashBytes = canonicalBase64Length(hash);
  if (saltBytes === undefined || hashBytes === undefined) return "the salt and the hash must be canonical base64 without padding";
  if (saltBytes < MIN_SALT_BYTES) return `the salt must be at least ${MIN_SALT_BYTES} bytes, got ${saltBytes}`;
  if (hashBytes < MIN_HASH_BYTES) return `the hash must be at least ${MIN_HASH_BYTES} bytes, got ${hashBytes}`;
  return { memoryKib, timeCost, parallelism };
}

/** Decoded length of unpadded base64 that re-encodes to itself (no stray bits), else undefined. */
function canonicalBase64Length(text: string): number | undefined {
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64").replace(/=+$/, "") === text ? bytes.length : undefined;
}

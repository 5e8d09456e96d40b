import type { JWK } from "jose";
import { component, inject } from "pico-ioc";
import { invalidToken } from "../errors.js";
import { KEY_SOURCE } from "../keys/key-source.js";
import type { KeySet, KeySource } from "../keys/key-source.js";
import { AuthClientSettings } from "../settings.js";
import { checkClaims } from "./claims.js";
import type { TokenClaims } from "./claims.js";
import { keyFits, readJws, verifySignature } from "./jws.js";
import { TokenCache } from "./token-cache.js";

const ACCEPTED_TYPES = new Set(["jwt", "at+jwt", "application/at+jwt"]);

/**
 * Verifies bearer tokens: algorithm allow-list (HS* and none never), the key pinned to the header's
 * `alg`, the signature, then the claims. Verified tokens are cached until they expire or the key set
 * changes, so a repeated token skips the signature check.
 */
@component()
export class TokenVerifier {
  readonly #settings: AuthClientSettings;
  readonly #keys: KeySource;
  readonly #accepted: ReadonlySet<string>;
  readonly #cache: TokenCache;
  readonly #imported = new WeakMap<JWK, unknown>();
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Date.now() / 1000;

  constructor(settings: AuthClientSettings, @inject(KEY_SOURCE) keys: KeySource) {
    this.#settings = settings;
    this.#keys = keys;
    this.#accepted = new Set(settings.acceptedAlgorithms);
    this.#cache = new TokenCache(settings.tokenCacheSize);
  }

  async verify(token: string): Promise<TokenClaims> {
    // Header checks need no keys: garbage is a 401 even while the key source is down.
    const jws = readJws(token);
    const alg = jws.alg;
    if (/^hs/i.test(alg)) throw invalidToken(`Symmetric algorithm '${printable(alg)}' is not permitted`);
    if (!this.#accepted.has(alg)) throw invalidToken(`Algorithm '${printable(alg)}' is not accepted`);
    const typ = jws.header.typ;
    if (typ !== undefined && (typeof typ !== "string" || !ACCEPTED_TYPES.has(typ.toLowerCase()))) throw invalidToken("Invalid token: unexpected token type");

    const keySet = await this.#keys.getKeySet();
    const cached = this.#cache.get(token, keySet.version, this.now(), this.#settings.leewaySeconds);
    if (cached) return cached;

    const { key, set } = await this.#findKey(jws.header, alg, keySet);
    const payloadBytes = await verifySignature(jws, key, this.#imported);
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(payloadBytes));
    } catch {
      throw invalidToken("Invalid token: malformed payload");
    }
    const claims = checkClaims(payload, this.#settings, this.now());
    this.#cache.set(token, claims, set.version);
    return claims;
  }

  /** Drops every cached verification (e.g. after a revocation). */
  clearCache(): void {
    this.#cache.clear();
  }

  async #findKey(header: Record<string, unknown>, alg: string, keySet: KeySet): Promise<{ key: JWK; set: KeySet }> {
    const kid = header.kid;
    if (kid !== undefined && typeof kid !== "string") throw invalidToken("Invalid token: malformed header");
    const pick = (set: KeySet): JWK[] => set.keys.filter((k) => (kid === undefined || k.kid === kid) && keyFits(k, alg));
    let set = keySet;
    let candidates = pick(set);
    if (candidates.length === 0 && kid !== undefined) {
      // Perhaps the issuer rotated: the source refetches, at most once per cooldown.
      set = await this.#keys.getKeySet({ refresh: true });
      candidates = pick(set);
    }
    if (candidates.length === 0) throw invalidToken("Invalid token: no matching signing key");
    if (candidates.length > 1) throw invalidToken('Invalid token: several keys match; the token needs a "kid"');
    return { key: candidates[0] as JWK, set };
  }
}

/** Header values echoed in a detail: short, printable, so they are safe in WWW-Authenticate too. */
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 32 ? `${clean.slice(0, 32)}...` : clean;
}

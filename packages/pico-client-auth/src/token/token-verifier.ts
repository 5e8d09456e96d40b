import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { METRICS, component, inject, noMetrics } from "pico-ioc";
import type { Counter, Metrics } from "pico-ioc";
import { invalidToken, revocationUnavailable, tokenRevoked } from "../errors.js";
import { KEY_SOURCE } from "../keys/key-source.js";
import type { KeySet, KeySource } from "../keys/key-source.js";
import { REVOCATION_CHECK } from "../revocation/revocation-check.js";
import type { RevocationCheck, RevocationStatus } from "../revocation/revocation-check.js";
import { AuthClientSettings, agentAudienceOf } from "../settings.js";
import type { AgentClaims } from "../agent/agent-claims.js";
import { checkClaims } from "./claims.js";
import type { TokenClaims } from "./claims.js";
import { keyFits, readJws, verifySignature } from "./jws.js";
import type { JwsParts } from "./jws.js";
import { accessProfile, agentProfile } from "./token-profile.js";
import type { TokenProfile } from "./token-profile.js";
import { isPromise } from "../is-promise.js";

// One label object each, made once: counting on the hot path allocates nothing.
const HIT = Object.freeze({ result: "hit" });
const MISS = Object.freeze({ result: "miss" });
/** One for every token: decode() without `stream` keeps no state between calls, and a new one per token costs a converter each. */
const UTF8 = new TextDecoder();

/**
 * Verifies bearer tokens: algorithm allow-list (HS* and none never), the key pinned to the header's
 * `alg`, the signature, the claims, then revocation. Verified tokens are cached until they expire or
 * the key set changes, so a repeated token skips the signature check, but never the revocation check.
 *
 * Two kinds of token (token-profile.ts): access tokens (verify, check) and agent tokens (verifyAgent,
 * checkAgent), each refused as the other by header `typ` and audience, each with a cache of its own.
 */
@component()
export class TokenVerifier {
  readonly #settings: AuthClientSettings;
  readonly #keys: KeySource;
  readonly #revocation: RevocationCheck;
  readonly #accepted: ReadonlySet<string>;
  readonly #access: TokenProfile;
  readonly #agent: TokenProfile;
  readonly #imported = new WeakMap<JWK, KeyObject>();
  /** `pico_auth_token_cache_total{result}`: a hit skips the signature check, a miss makes it. */
  readonly #lookups: Counter;
  /** Seconds since the epoch; replaceable in tests. */
  now: () => number = () => Date.now() / 1000;

  constructor(settings: AuthClientSettings, @inject(KEY_SOURCE) keys: KeySource, @inject(REVOCATION_CHECK) revocation: RevocationCheck, @inject(METRICS) metrics: Metrics = noMetrics) {
    this.#lookups = metrics.counter("pico_auth_token_cache_total", "Verified-token cache lookups: hit (signature check skipped) or miss (signature checked)", ["result"]);
    this.#settings = settings;
    this.#keys = keys;
    this.#revocation = revocation;
    this.#accepted = new Set(settings.acceptedAlgorithms);
    this.#access = accessProfile(settings, agentAudienceOf(settings));
    this.#agent = agentProfile(settings, agentAudienceOf(settings));
  }

  /** The token's claims; rejects with a 401 (or, while keys or revocations are unavailable, 503) error. */
  async verify(token: string): Promise<TokenClaims> {
    return this.check(token);
  }

  /**
   * verify(), without a promise when it can be (a cached token, a key set and a revocation list at
   * hand): that is every repeated request, where each promise costs. Errors then throw synchronously.
   */
  check(token: string): TokenClaims | Promise<TokenClaims> {
    return this.#check(token, this.#access);
  }

  /**
   * An agent token's claims (`X-Agent-Authorization`): the same keys, algorithms, claim rules and
   * revocation check as verify(), but header `typ` AGENT_TOKEN_TYPE, audience `agent_audience` and an
   * `act` claim. Rejects with a 401 (or 503) error; an access token is refused here.
   */
  async verifyAgent(token: string): Promise<AgentClaims> {
    return this.checkAgent(token);
  }

  /** verifyAgent(), without a promise when it can be, as check() is to verify(). */
  checkAgent(token: string): AgentClaims | Promise<AgentClaims> {
    // The agent profile's finish() made these claims AgentClaims before they were cached.
    return this.#check(token, this.#agent) as AgentClaims | Promise<AgentClaims>;
  }

  #check(token: string, profile: TokenProfile): TokenClaims | Promise<TokenClaims> {
    const cached = this.#cached(token, profile);
    if (cached) this.#lookups.inc(HIT);
    if (cached) return this.#notRevoked(cached);
    const verified = this.#verifySigned(token, profile);
    return isPromise(verified) ? verified.then((claims) => this.#notRevoked(claims)) : this.#notRevoked(verified);
  }

  /**
   * Here, not inside #verifySigned: cache hits are checked too, so a revocation takes effect on the
   * token's very next use, cached or not. Every caller of verify() gets this, not only the guard.
   */
  #notRevoked(claims: TokenClaims): TokenClaims | Promise<TokenClaims> {
    if (!this.#revocation.enabled) return claims;
    // We issue a jti on every token; one without it could never be revoked, so it is refused.
    if (claims.jti === undefined || claims.jti === "") throw invalidToken('Invalid token: "jti" claim missing');
    const status = this.#revocation.status(claims.jti);
    if (typeof status === "string") {
      enforce(status);
      return claims;
    }
    return Promise.resolve(status).then((answer) => {
      enforce(answer);
      return claims;
    });
  }

  /**
   * A cache hit without a promise, when the key set is at hand: the hot path. A cached token passed
   * every header and claim check when it was verified, so only its expiry and key set are rechecked.
   */
  #cached(token: string, profile: TokenProfile): TokenClaims | undefined {
    return profile.cache.get(token, this.#versionAtHand, this.now(), this.#settings.leewaySeconds);
  }

  /** The current key set's version, or undefined while it is being fetched (the slow path waits for it). */
  readonly #versionAtHand = (): number | undefined => {
    const keySet = this.#keys.getKeySet();
    if (!isPromise(keySet)) return keySet.version;
    // The slow path asks again and shares the same fetch; this copy must not reject unheard.
    keySet.catch(() => undefined);
    return undefined;
  };

  /**
   * The signature and claims check of a token not in the cache. Synchronous while the key set is at
   * hand and the algorithm is a classical one (node:crypto verifies synchronously): a new token then
   * costs no promise of ours either. Errors throw then, and reject otherwise.
   */
  #verifySigned(token: string, profile: TokenProfile): TokenClaims | Promise<TokenClaims> {
    // Header checks need no keys: garbage is a 401 even while the key source is down.
    const jws = readJws(token);
    const alg = jws.alg;
    if (/^hs/i.test(alg)) throw invalidToken(`Symmetric algorithm '${printable(alg)}' is not permitted`);
    if (!this.#accepted.has(alg)) throw invalidToken(`Algorithm '${printable(alg)}' is not accepted`);
    const typeProblem = profile.typeProblem(jws.header.typ);
    if (typeProblem !== undefined) throw invalidToken(typeProblem);

    const keySet = this.#keys.getKeySet();
    if (!isPromise(keySet)) return this.#verifyWith(jws, token, profile, keySet);
    return keySet.then((fetched) => {
      // Another request may have verified this token while the keys were being fetched.
      const cached = profile.cache.get(token, () => fetched.version, this.now(), this.#settings.leewaySeconds);
      if (cached) {
        this.#lookups.inc(HIT);
        return cached;
      }
      return this.#verifyWith(jws, token, profile, fetched);
    });
  }

  #verifyWith(jws: JwsParts, token: string, profile: TokenProfile, keySet: KeySet): TokenClaims | Promise<TokenClaims> {
    this.#lookups.inc(MISS);
    const found = this.#findKey(jws.header, jws.alg, keySet);
    if (isPromise(found)) return found.then(({ key, set }) => this.#verifyAndRead(jws, token, profile, key, set));
    return this.#verifyAndRead(jws, token, profile, found.key, found.set);
  }

  #verifyAndRead(jws: JwsParts, token: string, profile: TokenProfile, key: JWK, set: KeySet): TokenClaims | Promise<TokenClaims> {
    const payloadBytes = verifySignature(jws, key, this.#imported);
    if (isPromise(payloadBytes)) return payloadBytes.then((bytes) => this.#claimsOf(bytes, token, profile, set));
    return this.#claimsOf(payloadBytes, token, profile, set);
  }

  #claimsOf(payloadBytes: Uint8Array, token: string, profile: TokenProfile, set: KeySet): TokenClaims {
    let payload: unknown;
    try {
      payload = JSON.parse(UTF8.decode(payloadBytes));
    } catch {
      throw invalidToken("Invalid token: malformed payload");
    }
    const claims = profile.finish(checkClaims(payload, profile.rules, this.now()));
    profile.cache.set(token, claims, set.version);
    return claims;
  }

  /** Drops every cached verification. Not needed for revocations: those are checked on every use. */
  clearCache(): void {
    this.#access.cache.clear();
    this.#agent.cache.clear();
  }

  /** The one key that can verify the token: synchronous unless an unknown `kid` sends the source to fetch again. */
  #findKey(header: Record<string, unknown>, alg: string, keySet: KeySet): FoundKey | Promise<FoundKey> {
    const kid = header.kid;
    if (kid !== undefined && typeof kid !== "string") throw invalidToken("Invalid token: malformed header");
    const candidates = candidatesIn(keySet, kid, alg);
    if (candidates.length === 0 && kid !== undefined) {
      // Perhaps the issuer rotated: the source refetches, at most once per cooldown.
      return Promise.resolve(this.#keys.getKeySet({ refresh: true })).then((set) => onlyKey(candidatesIn(set, kid, alg), set));
    }
    return onlyKey(candidates, keySet);
  }
}

interface FoundKey {
  readonly key: JWK;
  readonly set: KeySet;
}

function candidatesIn(set: KeySet, kid: string | undefined, alg: string): JWK[] {
  return set.keys.filter((k) => (kid === undefined || k.kid === kid) && keyFits(k, alg));
}

function onlyKey(candidates: readonly JWK[], set: KeySet): FoundKey {
  if (candidates.length === 0) throw invalidToken("Invalid token: no matching signing key");
  if (candidates.length > 1) throw invalidToken('Invalid token: several keys match; the token needs a "kid"');
  return { key: candidates[0] as JWK, set };
}

/** Anything but "not-revoked" refuses the token: an unexpected answer from a custom check fails closed. */
function enforce(status: RevocationStatus): void {
  if (status === "not-revoked") return;
  throw status === "revoked" ? tokenRevoked() : revocationUnavailable();
}

/** Header values echoed in a detail: short, printable, so they are safe in WWW-Authenticate too. */
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 32 ? `${clean.slice(0, 32)}...` : clean;
}

/**
 * A stand-in for a third-party identity provider, on a real socket (127.0.0.1, a free port): it
 * publishes a key set in the shapes real IdPs use (see idp-keys.ts), serves RFC 8414 and OpenID
 * Connect discovery documents (switchable), rotates its signing key, fails on demand, and mints
 * access tokens shaped as Auth0, Okta, Keycloak, Entra ID, Duende IdentityServer and Google do.
 *
 *   const idp = await StandInIdp.start({ audience: "my-api" });
 *   const token = await idp.mint("keycloak", { claims: { sub: "bob" } });
 *   await idp.rotate();          // a new RS256 signing key, the old one still published
 *   idp.setOutage("503");        // every request answers 503 ("close": the socket is dropped)
 *   await idp.stop();
 * @module
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { ecKey, edKey, encryptionKey, mlDsaKey, rsaKey, rsaKeyWithoutAlg } from "./idp-keys.js";
import type { IdpKey, IdpKeyName } from "./idp-keys.js";
import { shapedToken } from "./idp-token-shapes.js";
import type { IdpShape } from "./idp-token-shapes.js";

export type { IdpKeyName } from "./idp-keys.js";
export type { IdpShape } from "./idp-token-shapes.js";

/** Which discovery documents are served: both (RFC 8414 and OIDC), only OIDC's, or none (404). */
export type DiscoveryMode = "both" | "oidc" | "none";
/** off: normal service; 503: every request answers 503; close: every connection is dropped unanswered. */
export type OutageMode = "off" | "503" | "close";

export interface StandInIdpOptions {
  /** The audience minted tokens carry (Auth0 and Keycloak add a second one). Default "my-api". */
  readonly audience?: string;
  /** A path part of the issuer, e.g. "/realms/demo" (Keycloak) or "/v2.0"-like tenants. Default "". */
  readonly issuerPath?: string;
  /** Where the key set is published, from the origin. Default `{issuerPath}/protocol/openid-connect/certs`. */
  readonly jwksPath?: string;
  readonly discovery?: DiscoveryMode;
  /** Publish an RFC 9964 AKP (ML-DSA-65) key too, after the classical ones. */
  readonly akp?: boolean;
}

/** What the stand-in is asked to do besides a shape's defaults; `undefined` removes a claim or header parameter. */
export interface MintOverrides {
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  /** Sign with this key instead of the shape's. */
  readonly key?: IdpKeyName;
}

export interface StandInIdpUrls {
  readonly issuer: string;
  readonly jwks: string;
  /** RFC 8414 §3: the well-known part goes between the origin and the issuer's path. */
  readonly oauthMetadata: string;
  /** OIDC Discovery §4: appended to the issuer. */
  readonly openidConfiguration: string;
}

export class StandInIdp {
  readonly urls: StandInIdpUrls;
  readonly audience: string;
  /** Every request's path, in order (outage answers included). */
  readonly requests: string[] = [];
  readonly #server: Server;
  readonly #options: StandInIdpOptions;
  /** Published in this order: the encryption key first, then the signing keys, then rotated-out ones. */
  #keys: IdpKey[];
  #retired: IdpKey[] = [];
  #discovery: DiscoveryMode;
  #documentIssuer: string | undefined;
  #outage: OutageMode = "off";

  private constructor(server: Server, urls: StandInIdpUrls, keys: IdpKey[], options: StandInIdpOptions) {
    this.#server = server;
    this.urls = urls;
    this.#keys = keys;
    this.#options = options;
    this.audience = options.audience ?? "my-api";
    this.#discovery = options.discovery ?? "both";
  }

  static async start(options: StandInIdpOptions = {}): Promise<StandInIdp> {
    let idp: StandInIdp | undefined;
    const server = createServer((req, res) => (idp ? idp.#answer(req, res) : res.writeHead(503).end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = options.issuerPath ?? "";
    const issuer = `${origin}${path}`;
    const urls: StandInIdpUrls = {
      issuer,
      jwks: `${origin}${options.jwksPath ?? `${path}/protocol/openid-connect/certs`}`,
      oauthMetadata: `${origin}/.well-known/oauth-authorization-server${path}`,
      openidConfiguration: `${issuer}/.well-known/openid-configuration`,
    };
    const keys = await Promise.all([encryptionKey(), rsaKey(), rsaKeyWithoutAlg(issuer), ecKey(), edKey(), ...(options.akp ? [mlDsaKey()] : [])]);
    idp = new StandInIdp(server, urls, keys, options);
    return idp;
  }

  /** The key set as served now. */
  get jwks(): { keys: JWK[] } {
    return { keys: [...this.#keys, ...this.#retired].map((key) => key.jwk) };
  }

  /** The published key of `name` that signs now (for a rotated `rsa`, the newest). */
  key(name: IdpKeyName): IdpKey {
    const key = this.#keys.find((candidate) => candidate.name === name);
    if (!key) throw new Error(`stand-in IdP: no "${name}" key${name === "ml-dsa" ? " (start it with akp: true)" : ""}`);
    return key;
  }

  /** An access token shaped as `shape`'s provider makes them, signed by the shape's key (or `overrides.key`). */
  async mint(shape: IdpShape, overrides: MintOverrides = {}): Promise<string> {
    const token = shapedToken(shape, { issuer: this.urls.issuer, audience: this.audience, now: Math.floor(Date.now() / 1000) });
    const key = this.key(overrides.key ?? token.key);
    // Entra ID names the certificate in the header as well.
    const x5t = shape === "entra" ? { x5t: key.jwk.x5t } : {};
    const header = withoutUndefined({ alg: key.alg, kid: key.jwk.kid, ...x5t, ...token.header, ...overrides.header });
    const claims = withoutUndefined({ ...token.claims, ...overrides.claims });
    return key.sign(header, new TextEncoder().encode(JSON.stringify(claims)));
  }

  /** A new RS256 signing key for `rotate({ to })`, made ahead when the rotation itself must be quick. */
  static signingKey(): Promise<IdpKey> {
    return rsaKey();
  }

  /**
   * A new RS256 signing key (new thumbprint kid, or `to`) takes over; the previous one stays
   * published after the others unless `keepPrevious` is false (then every earlier key is dropped).
   * Returns the new key.
   */
  async rotate({ to, keepPrevious = true }: { to?: IdpKey; keepPrevious?: boolean } = {}): Promise<IdpKey> {
    const next = to ?? (await rsaKey());
    const previous = this.key("rsa");
    this.#keys = this.#keys.map((key) => (key === previous ? next : key));
    this.#retired = keepPrevious ? [previous, ...this.#retired] : [];
    return next;
  }

  setOutage(mode: OutageMode): void {
    this.#outage = mode;
  }

  /** Which documents are served; `documentIssuer` makes them name another issuer (a mismatch). */
  setDiscovery(mode: DiscoveryMode, documentIssuer?: string): void {
    this.#discovery = mode;
    this.#documentIssuer = documentIssuer;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", this.urls.issuer).pathname;
    this.requests.push(path);
    if (this.#outage === "close") {
      req.socket.destroy();
      return;
    }
    if (this.#outage === "503") return json(res, 503, { error: "temporarily_unavailable" });
    if (req.method !== "GET") return json(res, 405, { error: "method not allowed" });
    if (path === pathOf(this.urls.jwks)) return json(res, 200, this.jwks, "application/jwk-set+json");
    const rfc8414 = path === pathOf(this.urls.oauthMetadata) && this.#discovery === "both";
    const oidc = path === pathOf(this.urls.openidConfiguration) && this.#discovery !== "none";
    if (rfc8414 || oidc) return json(res, 200, this.#document());
    json(res, 404, { error: "not found" });
  }

  /** A discovery document with the members real IdPs send (the same for RFC 8414 and OIDC here). */
  #document(): Record<string, unknown> {
    const { issuer, jwks } = this.urls;
    return {
      issuer: this.#documentIssuer ?? issuer,
      authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo`,
      jwks_uri: jwks,
      response_types_supported: ["code", "id_token", "code id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256", "ES256", "EdDSA", ...(this.#options.akp ? ["ML-DSA-65"] : [])],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
      scopes_supported: ["openid", "profile", "email"],
    };
  }
}

function json(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

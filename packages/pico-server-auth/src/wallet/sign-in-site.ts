import { component, inject, LOGGER } from "pico-ioc";
import type { Logger } from "pico-ioc";
import { ServerAuthConfigurationError } from "../errors.js";
import { ServerAuthSettings } from "../settings.js";
import type { WalletAlgorithm } from "./algorithms.js";
import { composeSignInMessage } from "./sign-in-message.js";

/**
 * The site sign-in messages name, fixed at boot from the settings (never from a request's Host
 * header, which whoever sends the request chooses): the domain is `sign_in_domain` or the issuer's
 * host, the URI is the issuer. Also reports the wallet mode at boot.
 */
@component()
export class SignInSite {
  readonly mode: "secure" | "upstream";
  readonly domain: string;
  readonly uri: string;
  readonly chainId: number;

  constructor(settings: ServerAuthSettings, @inject(LOGGER) logger: Logger) {
    this.mode = settings.walletMode === "upstream" ? "upstream" : "secure";
    this.chainId = settings.siweChainId;
    this.uri = settings.issuer;
    const issuer = URL.canParse(settings.issuer) ? new URL(settings.issuer) : undefined;
    if (settings.signInDomain !== undefined) {
      if (!isAuthority(settings.signInDomain)) throw new ServerAuthConfigurationError(`server_auth.sign_in_domain must be a host or host:port (as in "auth.example.com"), got ${JSON.stringify(settings.signInDomain.slice(0, 100))}`);
      this.domain = settings.signInDomain;
    } else {
      this.domain = issuer?.host ?? "";
    }
    if (this.mode === "upstream") {
      logger.warn("pico-server-auth: server_auth.wallet_mode is upstream, which is UNSAFE: any client can sign in as any unbound address (squatting), and wallets sign a bare challenge that names no site (a phishing page can relay it). Use it only for upstream wallet clients that cannot sign a sign-in message.");
    } else if (!issuer || this.domain === "") {
      throw new ServerAuthConfigurationError(`server_auth.issuer must be an absolute URL with a host in wallet_mode secure (sign-in messages name it), got ${JSON.stringify(settings.issuer.slice(0, 100))}`);
    }
  }

  /** The text a wallet signs to sign in as `address`; times in milliseconds since the epoch. */
  message(address: string, algorithm: WalletAlgorithm, nonce: string, issuedAt: number, expiresAt: number): string {
    return this.#compose("sign-in", `Sign in to ${this.domain}.`, address, algorithm, nonce, issuedAt, expiresAt);
  }

  /** The text both keys sign to move `address` to a new key; `statement` names that key. */
  moveMessage(address: string, algorithm: WalletAlgorithm, nonce: string, issuedAt: number, expiresAt: number, statement: string): string {
    return this.#compose("move", statement, address, algorithm, nonce, issuedAt, expiresAt);
  }

  #compose(kind: "sign-in" | "move", statement: string, address: string, algorithm: WalletAlgorithm, nonce: string, issuedAt: number, expiresAt: number): string {
    return composeSignInMessage({ kind, domain: this.domain, uri: this.uri, address, algorithm, chainId: this.chainId, statement, nonce, issuedAt: new Date(issuedAt), expiresAt: new Date(expiresAt) });
  }
}

/** host or host:port (RFC 3986 authority without user info), as SIWE's `domain`. */
function isAuthority(value: string): boolean {
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value)) return false;
  return URL.canParse(`http://${value}`);
}

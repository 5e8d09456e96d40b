import type { Wallet } from "./keys.js";
import { checkSignInMessage } from "./message-check.js";

/** The server answered with an error status; `detail` is its `{"detail": ...}` message when it sent one. */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    what: string,
  ) {
    super(`${what} failed: HTTP ${status} ${detail}`);
  }
}

/** No answer at all (refused, DNS, timeout): retrying other algorithms against the same URL is pointless. */
export class UnreachableError extends Error {}

export interface SignInResult {
  challenge: string;
  ttl: number;
  /** The sign-in message the server issued and the wallet signed. */
  message: string;
  signature: Uint8Array;
  access_token: string;
  refresh_token: string;
}

const TIMEOUT_MS = 15_000;

/**
 * challenge → sign → sign-in, as pico-server-auth's /api/v1/auth endpoints expect it (wallet_mode
 * secure): the server answers the challenge with the sign-in message, which names its site, the
 * address and an expiry; the wallet signs that text. The message is sent back too, so a server that
 * issued another one says which part differs. A secp256k1 signature (r‖s‖v) names its own key, so
 * no public key is sent for it, as with any Ethereum wallet.
 * Before signing, the message is checked (checkSignInMessage): a sign-in, not a move, naming `domain`
 * (default: the host of `baseUrl`), this wallet's address, the challenge as nonce, and a future expiry.
 */
export async function signIn(baseUrl: string, wallet: Wallet, domain = new URL(baseUrl).host): Promise<SignInResult> {
  const { address, algorithm } = wallet;
  const { challenge, ttl, message } = await call<{ challenge: string; ttl: number; message?: string }>(baseUrl, "/api/v1/auth/challenge", { address, algorithm });
  if (typeof message !== "string" || message === challenge) {
    throw new Error("POST /api/v1/auth/challenge sent no sign-in message: the server runs wallet_mode upstream, which this client does not sign for");
  }
  checkSignInMessage(message, { domain, address, algorithm, nonce: challenge, now: new Date() });
  const signature = wallet.sign(message);
  const tokens = await call<{ access_token: string; refresh_token: string }>(baseUrl, "/api/v1/auth/sign-in", {
    address,
    ...(algorithm === "secp256k1" ? {} : { public_key: hex(wallet.publicKey) }),
    signature: hex(signature),
    challenge,
    message,
    algorithm,
  });
  return { challenge, ttl, message, signature, ...tokens };
}

/** GET /api/profile with the access token (any valid token is accepted there), at the API's URL: the auth service's in embed-in-app, its own in standalone. */
export function fetchProfile(apiUrl: string, accessToken: string): Promise<unknown> {
  return call(apiUrl, "/api/profile", undefined, accessToken);
}

/** The token's payload, unverified: for display only (the server is the one that checks signatures). */
export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("the access token is not a JWT");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** POSTs `body` as JSON (GETs when there is none) and returns the JSON answer, or throws a readable error. */
async function call<T>(baseUrl: string, path: string, body?: unknown, token?: string): Promise<T> {
  const url = `${baseUrl}${path}`;
  const what = `${body === undefined ? "GET" : "POST"} ${path}`;
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, { method: body === undefined ? "GET" : "POST", headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new UnreachableError(`cannot reach ${baseUrl} (${what}): ${reason(error)}; is the server running?`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not our server, or a proxy's error page: say what came back instead of a JSON parse error.
    throw new ServerError(res.status, `expected JSON, got ${res.headers.get("content-type") ?? "no content type"}: ${text.slice(0, 80)}`, what);
  }
  if (!res.ok) {
    const detail = (json as { detail?: unknown } | null)?.detail;
    throw new ServerError(res.status, typeof detail === "string" ? detail : JSON.stringify(json), what);
  }
  return json as T;
}

/** fetch hides the socket error in `cause` (ECONNREFUSED, ENOTFOUND...); a timeout is a TimeoutError. */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as Error).name === "TimeoutError") return `no answer within ${TIMEOUT_MS / 1000}s`;
  return cause?.message ?? (error as Error).message;
}

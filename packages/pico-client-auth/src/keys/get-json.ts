/** What `getJson` answers for a "not here" status when told `notFound: true`: discovery's "no such document". */
export const NOT_FOUND: unique symbol = Symbol("not found");

/**
 * Whether a status says the document is not at this URL: any 4xx but 408 and 429, which say "not
 * now". IdPs answer an unknown path with 404, but also with 400, 401, 403 or 405; Spring Security
 * moves on to the next discovery document after any 4xx too.
 */
export function isAbsent(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** A non-2xx answer: its message names the document, the URL and the status. */
export class UnexpectedStatus extends Error {
  readonly status: number;

  constructor(what: string, url: string, status: number) {
    super(`${what} ${url} answered ${status}`);
    this.name = new.target.name;
    this.status = status;
  }
}

export interface GetJsonOptions {
  /** Names the document in errors: `JWKS https://... answered 500`. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly redirect?: RequestInit["redirect"];
  /** Answer a status that says "not here" (`isAbsent`) with `NOT_FOUND` instead of failing. */
  readonly notFound?: boolean;
}

/**
 * GET `url` as JSON within `timeoutMs`. A non-2xx status fails with `UnexpectedStatus` (but see
 * `notFound`), a body that is not JSON with the parser's `SyntaxError`, a timeout with `TimeoutError`.
 */
export async function getJson(url: string, options: GetJsonOptions): Promise<unknown> {
  const response = await options.fetch(url, {
    headers: { accept: "application/json" },
    redirect: options.redirect ?? "follow",
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    if (options.notFound && isAbsent(response.status)) return NOT_FOUND;
    throw new UnexpectedStatus(options.what, url, response.status);
  }
  return await response.json();
}

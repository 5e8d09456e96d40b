/** What `getJson` answers for a 404 when told `notFound: true`: discovery's "no such document". */
export const NOT_FOUND: unique symbol = Symbol("not found");

export interface GetJsonOptions {
  /** Names the document in errors: `JWKS https://... answered 500`. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly redirect?: RequestRedirect;
  /** Answer a 404 with `NOT_FOUND` instead of failing. */
  readonly notFound?: boolean;
}

/**
 * GET `url` as JSON within `timeoutMs`. Any other non-2xx status fails, naming the document and the
 * status; a body that is not JSON fails with the parser's `SyntaxError`; a timeout with `TimeoutError`.
 */
export async function getJson(url: string, options: GetJsonOptions): Promise<unknown> {
  const response = await options.fetch(url, {
    headers: { accept: "application/json" },
    redirect: options.redirect ?? "follow",
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    if (options.notFound && response.status === 404) return NOT_FOUND;
    throw new Error(`${options.what} ${url} answered ${response.status}`);
  }
  return await response.json();
}

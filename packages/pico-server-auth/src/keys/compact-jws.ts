/** A compact JWS split and decoded, or nothing: the parts a verifier needs, nothing trusted yet. */
export interface CompactJws {
  readonly header: { readonly alg?: unknown; readonly kid?: unknown; readonly [name: string]: unknown };
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Our tokens are a few KiB at most (ML-DSA-65 signatures are 3309 bytes): anything far larger is not ours. */
const MAX_TOKEN_LENGTH = 16_384;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function parseCompactJws(token: string): CompactJws | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return undefined;
  const [header, payload] = [decodeObject(parts[0] as string), decodeObject(parts[1] as string)];
  // We never issue unencoded payloads or critical extensions: such a token is not one of ours.
  if (!header || !payload || "crit" in header || "b64" in header) return undefined;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2] as string, "base64url") };
}

function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

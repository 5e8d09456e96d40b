import { createHash, randomBytes } from "node:crypto";

/** An opaque refresh token: 32 random bytes, base64url (43 characters). Nothing in it can be verified anywhere else. */
export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

const OPAQUE = /^[A-Za-z0-9_-]{43}$/;

/** Whether `token` has the shape of an opaque refresh token (a JWT of an earlier version has dots). */
export function isOpaqueRefreshToken(token: string): boolean {
  return OPAQUE.test(token);
}

/** What the store keeps of an opaque refresh token: its SHA-256, hex (the token has 256 bits of entropy, so no salt or slow hash is needed). */
export function refreshTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The store key of a JWT refresh token issued before refresh tokens became opaque. */
export function legacyRefreshHash(jti: string): string {
  return `jti:${jti}`;
}

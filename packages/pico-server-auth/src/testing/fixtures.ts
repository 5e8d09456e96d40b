import type { StoredSigningKey } from "../keys/signing-key-store.js";
import type { IssuedAccessToken, NextRefresh, RefreshFamily } from "../sessions/session-store.js";

/** Times in the contracts are small whole seconds: stores compare them, never read the clock. */
export const key = (kid: string, createdAt: number): StoredSigningKey => ({ kid, alg: "EdDSA", material: `pico-kek:v1:sealed-${kid}`, createdAt });

export const family = (id: string, overrides: Partial<RefreshFamily> = {}): RefreshFamily => ({
  id,
  sub: `sub-${id}`,
  role: "user",
  claims: { algorithm: "Ed25519", wallet_address: `0x${id}`, nested: { n: 1, list: ["a", "ü"] } },
  currentHash: `${id}-r0`,
  startedAt: 1,
  expiresAt: 1000,
  ...overrides,
});

export const access = (jti: string, exp = 500): IssuedAccessToken => ({ jti, exp });
export const next = (hash: string, expiresAt = 2000): NextRefresh => ({ hash, expiresAt });
export const byJti = (tokens: readonly IssuedAccessToken[]): IssuedAccessToken[] => [...tokens].sort((a, b) => a.jti.localeCompare(b.jti));

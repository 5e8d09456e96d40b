import { createToken } from "pico-ioc";
import type { IssuedAccessToken } from "./session-store.js";

/** What the feed holds after a cursor, and the cursor to ask from next time. */
export interface RevocationChanges {
  /** Access tokens revoked after the cursor (all unexpired ones when there was none). */
  readonly revoked: readonly IssuedAccessToken[];
  /** Opaque; pass it to the next `revokedSince`. */
  readonly cursor: string;
}

/**
 * Port: the revocation feed, the change feed every instance follows (the revoked state itself lives
 * in SESSION_STORE, which appends here in the same step as it revokes). A cursor never skips an entry:
 * an entry committed after a cursor was handed out is returned by the next call from that cursor,
 * whatever order concurrent writers committed in. Replace with
 * `@component({ provides: REVOCATION_STORE })`; every implementation passes
 * `revocationStoreContract` of `pico-server-auth/testing`.
 */
export interface RevocationStore {
  /**
   * The access tokens revoked since `cursor` that have not expired at `now`; without a cursor (or
   * with one the store no longer knows: pruned, or from another store), every unexpired one.
   */
  revokedSince(cursor: string | undefined, now: number): Promise<RevocationChanges>;
}

export const REVOCATION_STORE = createToken<RevocationStore>("RevocationStore");

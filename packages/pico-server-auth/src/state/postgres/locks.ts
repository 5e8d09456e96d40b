/**
 * Advisory locks of the PostgreSQL store, in the two-key form `pg_advisory_xact_lock(LOCK_CLASS, n)`:
 * the class keeps them apart from any other application's advisory locks on the same database. Each
 * is held by a transaction until it commits or rolls back.
 */
export const LOCK_CLASS = 0x70636b61; // "pcka": pico auth

/** Schema migrations: several instances booting at once migrate one after the other (the rest find nothing to do). */
export const MIGRATION_LOCK = 1;

/**
 * Appends to the revocation feed. A feed entry's `seq` is drawn when it is inserted, but becomes
 * visible when its transaction commits: two revoking transactions could commit in the other order than
 * they drew, and a reader that saw seq 11 (cursor 11) would then never see seq 10. Holding this lock
 * from before drawing until commit makes every append wait for the previous one to be visible, so
 * seq order is commit order and every snapshot holds a prefix of the feed: a cursor never skips.
 * PostgreSQL releases a transaction's locks after making its commit visible, so the next appender's
 * seq is drawn after that. Taken last in a transaction (after its row locks), so it cannot deadlock.
 */
export const FEED_LOCK = 2;

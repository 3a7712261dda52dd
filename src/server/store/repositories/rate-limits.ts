import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * A fixed-window counter in the database (so every instance shares it): counts one hit for `key` in
 * the current window, never past `cap`. Returns whether the hit is allowed and when the window ends.
 */
export async function hitRateLimit(
  db: Kysely<Database>,
  key: string,
  cap: number,
  windowMs: number,
  now: number,
): Promise<{ allowed: boolean; resetAt: number }> {
  const windowStart = now - (now % windowMs);
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['key', 'window_start'])
        .doUpdateSet({ count: sql<number>`rate_limits.count + 1` })
        .where('rate_limits.count', '<', cap),
    )
    .returning('count')
    .executeTakeFirst();
  return { allowed: row !== undefined, resetAt: windowStart + windowMs };
}

/** Gives back one hit taken in the window that starts at `windowStart` (a try that turned out fine). */
export async function refundRateLimit(db: Kysely<Database>, key: string, windowStart: number): Promise<void> {
  await db
    .updateTable('rate_limits')
    .set({ count: sql<number>`count - 1` })
    .where('key', '=', key)
    .where('window_start', '=', windowStart)
    .where('count', '>', 0)
    .execute();
}

/** Ends a counter's every window (a success that starts the count again). */
export async function clearRateLimit(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Old windows are useless; dropped now and then so the table stays small. */
export async function pruneRateLimits(db: Kysely<Database>, now: number, olderThanMs: number): Promise<void> {
  await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', now - olderThanMs)
    .execute();
}

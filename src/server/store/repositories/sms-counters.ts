import { sql, type Kysely } from 'kysely';
import type { Database, SmsCountersTable } from '../schema.js';

/**
 * Counts one SMS for (user, kind, day) in a single statement, but never past `cap`: the increment
 * happens only while the stored count is below it. Returns the new count, or null when the cap was
 * already reached. Concurrent requests are serialised on the counter row by the database itself
 * (ON CONFLICT DO UPDATE locks it), so 100 simultaneous requests see 1, 2, ... cap, then null: the
 * same on SQLite, on PostgreSQL, and across server instances.
 */
export async function countSms(
  db: Kysely<Database>,
  userId: string,
  kind: SmsCountersTable['kind'],
  day: string,
  cap: number,
): Promise<number | null> {
  const row = await db
    .insertInto('sms_counters')
    .values({ user_id: userId, kind, day, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'kind', 'day'])
        .doUpdateSet({ count: sql<number>`sms_counters.count + 1` })
        .where('sms_counters.count', '<', cap),
    )
    .returning('count')
    .executeTakeFirst();
  return row ? Number(row.count) : null;
}

export async function smsCountToday(db: Kysely<Database>, userId: string, kind: SmsCountersTable['kind'], day: string): Promise<number> {
  const row = await db
    .selectFrom('sms_counters')
    .select('count')
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .where('day', '=', day)
    .executeTakeFirst();
  return row ? Number(row.count) : 0;
}

/** Seed 003: "every successful sign-in resets your daily limit". Support's unlock does too. */
export async function resetSmsCount(db: Kysely<Database>, userId: string, kind: SmsCountersTable['kind']): Promise<void> {
  await db.deleteFrom('sms_counters').where('user_id', '=', userId).where('kind', '=', kind).execute();
}

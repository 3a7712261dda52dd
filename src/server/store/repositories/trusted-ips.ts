import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Seed 003: after a second factor, the user is asked again only when their IP address changes or
 * they change their password. A trust is kept per (user, IP) and counts only while it is newer than
 * the last password change.
 */
export async function trustIp(db: Kysely<Database>, userId: string, ip: string, now: number): Promise<void> {
  await db
    .insertInto('trusted_ips')
    .values({ user_id: userId, ip, trusted_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'ip']).doUpdateSet({ trusted_at: now }))
    .execute();
}

export async function isIpTrusted(db: Kysely<Database>, userId: string, ip: string, passwordChangedAt: number): Promise<boolean> {
  const row = await validTrusts(db, userId, passwordChangedAt).select('trusted_at').where('ip', '=', ip).executeTakeFirst();
  return row !== undefined;
}

/** The IPs where the user's trust still counts, for support. */
export async function listTrustedIps(db: Kysely<Database>, userId: string, passwordChangedAt: number): Promise<string[]> {
  const rows = await validTrusts(db, userId, passwordChangedAt).select('ip').orderBy('ip').execute();
  return rows.map((r) => r.ip);
}

/** A trust counts only while it is newer than the last password change (one rule for both readers). */
function validTrusts(db: Kysely<Database>, userId: string, passwordChangedAt: number) {
  return db.selectFrom('trusted_ips').where('user_id', '=', userId).where('trusted_at', '>=', passwordChangedAt);
}

export async function forgetTrustedIps(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom('trusted_ips').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

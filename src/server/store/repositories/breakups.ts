import type { Kysely, Selectable } from 'kysely';
import type { BreakupMembersTable, BreakupsTable, Database } from '../schema.js';

export type BreakupRow = Selectable<BreakupsTable>;
export type BreakupMemberRow = Selectable<BreakupMembersTable>;

export function findBreakupByKey(db: Kysely<Database>, tenantId: string, key: string): Promise<BreakupRow | undefined> {
  return db.selectFrom('breakups').selectAll().where('tenant_id', '=', tenantId).where('idempotency_key', '=', key).executeTakeFirst();
}

export function findBreakup(db: Kysely<Database>, id: string): Promise<BreakupRow | undefined> {
  return db.selectFrom('breakups').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The newest break-up of each of these shared accounts. */
export async function latestBreakupsOf(db: Kysely<Database>, sharedUserIds: readonly string[]): Promise<Map<string, BreakupRow>> {
  const latest = new Map<string, BreakupRow>();
  if (sharedUserIds.length === 0) return latest;
  const rows = await db
    .selectFrom('breakups')
    .selectAll()
    .where('shared_user_id', 'in', sharedUserIds)
    .orderBy('created_at', 'asc')
    .execute();
  for (const row of rows) latest.set(row.shared_user_id, row);
  return latest;
}

export function breakupMembers(db: Kysely<Database>, breakupId: string): Promise<BreakupMemberRow[]> {
  return db.selectFrom('breakup_members').selectAll().where('breakup_id', '=', breakupId).orderBy('position').execute();
}

export async function insertBreakup(db: Kysely<Database>, breakup: BreakupRow, members: BreakupMemberRow[]): Promise<void> {
  await db.insertInto('breakups').values(breakup).execute();
  await db.insertInto('breakup_members').values(members).execute();
}

export async function markMember(
  db: Kysely<Database>,
  member: Pick<BreakupMemberRow, 'breakup_id' | 'position'>,
  change: Pick<BreakupMemberRow, 'state' | 'user_id' | 'error'>,
  now: number,
): Promise<void> {
  await db
    .updateTable('breakup_members')
    .set({ ...change, updated_at: now })
    .where('breakup_id', '=', member.breakup_id)
    .where('position', '=', member.position)
    // A person made by a concurrent rerun stays made, whatever this one ran into.
    .where('state', '!=', 'created')
    .execute();
}

/** Marks the break-up complete, once: of two reruns finishing at once, one sees `true`. */
export async function completeBreakup(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('breakups')
    .set({ completed_at: now })
    .where('id', '=', id)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** A break-up of this shared account that has not made every person yet. */
export function unfinishedBreakupOf(db: Kysely<Database>, sharedUserId: string): Promise<BreakupRow | undefined> {
  return db
    .selectFrom('breakups')
    .selectAll()
    .where('shared_user_id', '=', sharedUserId)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
}

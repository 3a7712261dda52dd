import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, PushDevicesTable, PushEnrollmentsTable } from '../schema.js';

export type PushDeviceRow = Selectable<PushDevicesTable>;
export type PushEnrollmentRow = Selectable<PushEnrollmentsTable>;

export async function insertPushEnrollment(db: Kysely<Database>, row: Omit<PushEnrollmentRow, 'used_at' | 'device_id'>): Promise<void> {
  await db
    .insertInto('push_enrollments')
    .values({ ...row, used_at: null, device_id: null })
    .execute();
}

export function findPushEnrollment(db: Kysely<Database>, id: string): Promise<PushEnrollmentRow | undefined> {
  return db.selectFrom('push_enrollments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Spends an enrollment: one conditional update, so a secret completes one device however often it is sent. */
export async function useEnrollment(db: Kysely<Database>, id: string, deviceId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('push_enrollments')
    .set({ used_at: now, device_id: deviceId })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertPushDevice(db: Kysely<Database>, row: PushDeviceRow): Promise<void> {
  await db.insertInto('push_devices').values(row).execute();
}

export function findPushDevice(db: Kysely<Database>, id: string): Promise<PushDeviceRow | undefined> {
  return db.selectFrom('push_devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPushDeviceByThumbprint(db: Kysely<Database>, jkt: string): Promise<PushDeviceRow | undefined> {
  return db.selectFrom('push_devices').selectAll().where('jkt', '=', jkt).executeTakeFirst();
}

/** The user's devices, newest first; revoked ones are history (the audit trail keeps them). */
export function listPushDevices(db: Kysely<Database>, userId: string): Promise<PushDeviceRow[]> {
  return db
    .selectFrom('push_devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('state', '!=', 'revoked')
    .orderBy('created_at', 'desc')
    .execute();
}

export function activePushDevices(db: Kysely<Database>, userId: string): Promise<PushDeviceRow[]> {
  return db.selectFrom('push_devices').selectAll().where('user_id', '=', userId).where('state', '=', 'active').execute();
}

export async function hasActivePushDevice(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('push_devices')
    .select('id')
    .where('user_id', '=', userId)
    .where('state', '=', 'active')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Moves a device from one state to another; false when it was not in `from` (a concurrent change won). */
export async function moveDeviceState(
  db: Kysely<Database>,
  id: string,
  from: readonly PushDeviceRow['state'][],
  to: PushDeviceRow['state'],
  now: number,
): Promise<boolean> {
  const stamp =
    to === 'active' ? { activated_at: now } : to === 'suspended' ? { suspended_at: now } : to === 'revoked' ? { revoked_at: now } : {};
  const result = await db
    .updateTable('push_devices')
    .set({ state: to, ...stamp })
    .where('id', '=', id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Marks the device used; with `inState`, only while it is in that state (false otherwise). */
export async function touchPushDevice(db: Kysely<Database>, id: string, now: number, inState?: PushDeviceRow['state']): Promise<boolean> {
  let update = db.updateTable('push_devices').set({ last_used_at: now }).where('id', '=', id);
  if (inState) update = update.where('state', '=', inState);
  return (await update.executeTakeFirst()).numUpdatedRows === 1n;
}

export async function setPushSubscription(db: Kysely<Database>, id: string, subscription: string | null): Promise<void> {
  await db.updateTable('push_devices').set({ subscription, subscription_stale_at: null }).where('id', '=', id).execute();
}

/** A push service said the subscription is gone (404/410): the device is polled from now on. */
export async function markSubscriptionStale(db: Kysely<Database>, id: string, subscription: string, now: number): Promise<void> {
  await db
    .updateTable('push_devices')
    .set({ subscription_stale_at: now })
    .where('id', '=', id)
    .where('subscription', '=', subscription)
    .execute();
}

/** Remembers a signed request's nonce; false when the device used it before (a replay). */
export async function rememberRequestNonce(db: Kysely<Database>, deviceId: string, nonce: string, now: number): Promise<boolean> {
  const row = await db
    .insertInto('push_request_nonces')
    .values({ device_id: deviceId, nonce, seen_at: now })
    .onConflict((oc) => oc.columns(['device_id', 'nonce']).doNothing())
    .returning('nonce')
    .executeTakeFirst();
  return row !== undefined;
}

export async function pruneRequestNonces(db: Kysely<Database>, olderThan: number): Promise<void> {
  await db.deleteFrom('push_request_nonces').where('seen_at', '<', olderThan).execute();
}

/** Revokes every device of the user (support's reset of push, an account's end). */
export async function revokeAllPushDevices(db: Kysely<Database>, userId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('push_devices')
    .set({ state: 'revoked', revoked_at: now })
    .where('user_id', '=', userId)
    .where('state', '!=', 'revoked')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The user's push lock after one more wrong code: the count, and whether this request took the lock. */
export async function countPushWrongCode(
  db: Kysely<Database>,
  userId: string,
  max: number,
  lockUntil: number,
  now: number,
): Promise<{ wrongCodes: number; locked: boolean }> {
  const row = await db
    .updateTable('users')
    .set({ push_wrong_codes: sql<number>`push_wrong_codes + 1` })
    .where('id', '=', userId)
    .returning('push_wrong_codes')
    .executeTakeFirstOrThrow();
  if (row.push_wrong_codes < max) return { wrongCodes: row.push_wrong_codes, locked: false };
  // Whoever finds the count at the limit and resets it takes the lock: once, however many arrive together.
  const took = await db
    .updateTable('users')
    .set({ push_wrong_codes: 0, push_locked_at: now, push_locked_until: lockUntil })
    .where('id', '=', userId)
    .where('push_wrong_codes', '>=', max)
    .executeTakeFirst();
  return { wrongCodes: row.push_wrong_codes, locked: took.numUpdatedRows === 1n };
}

export async function resetPushWrongCodes(db: Kysely<Database>, userId: string): Promise<void> {
  await db.updateTable('users').set({ push_wrong_codes: 0 }).where('id', '=', userId).where('push_wrong_codes', '>', 0).execute();
}

/** Support's unlock: push is usable again. */
export async function liftPushLock(db: Kysely<Database>, userId: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ push_locked_at: null, push_locked_until: null, push_wrong_codes: 0 })
    .where('id', '=', userId)
    .where('push_locked_until', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

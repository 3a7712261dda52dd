import type { Kysely, Selectable } from 'kysely';
import { newId, newOpaqueToken, sha256Hex } from '../../crypto/tokens.js';
import type { Database, TrustedDevicesTable } from '../schema.js';

export type TrustedDeviceRow = Selectable<TrustedDevicesTable>;

/** Remembers a device; the token lives in the user's browser, only its hash here. */
export async function insertTrustedDevice(
  db: Kysely<Database>,
  userId: string,
  label: string,
  expiresAt: number,
  now: number,
): Promise<{ token: string; id: string }> {
  const token = newOpaqueToken();
  const id = newId();
  await db
    .insertInto('trusted_devices')
    .values({
      id,
      user_id: userId,
      token_hash: sha256Hex(token),
      label,
      created_at: now,
      last_used_at: null,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { token, id };
}

/** The id of this user's live remembered device with that token, without touching it. */
export async function findTrustedDevice(db: Kysely<Database>, userId: string, token: string, now: number): Promise<string | null> {
  const row = await db
    .selectFrom('trusted_devices')
    .select('id')
    .where('token_hash', '=', sha256Hex(token))
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Marks a remembered device used, if it is this user's, unrevoked and unexpired. */
export async function useTrustedDevice(db: Kysely<Database>, userId: string, token: string, now: number): Promise<string | null> {
  const row = await db
    .updateTable('trusted_devices')
    .set({ last_used_at: now })
    .where('token_hash', '=', sha256Hex(token))
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export function listTrustedDevices(db: Kysely<Database>, userId: string, now: number): Promise<TrustedDeviceRow[]> {
  return db
    .selectFrom('trusted_devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeTrustedDevices(db: Kysely<Database>, userId: string, now: number, deviceId?: string): Promise<number> {
  let query = db.updateTable('trusted_devices').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (deviceId) query = query.where('id', '=', deviceId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

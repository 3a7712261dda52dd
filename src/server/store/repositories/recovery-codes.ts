import type { Kysely } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import type { Database } from '../schema.js';

/** Stores a batch of code hashes; returns the batch id. The batch is live only once users.recovery_batch_id points at it. */
export async function insertRecoveryBatch(db: Kysely<Database>, userId: string, codeHashes: string[], now: number): Promise<string> {
  const batchId = newId();
  await db
    .insertInto('recovery_codes')
    .values(codeHashes.map((code_hash) => ({ id: newId(), user_id: userId, batch_id: batchId, code_hash, used_at: null, created_at: now })))
    .execute();
  return batchId;
}

/** Uses a code once: stamps `used_at` (kept, not deleted, for the audit) in one conditional update. */
export async function consumeRecoveryCode(
  db: Kysely<Database>,
  userId: string,
  batchId: string,
  codeHash: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('batch_id', '=', batchId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Whether a code is in the live batch, and whether it was used: a used one is a replay, not a guess. */
export async function recoveryCodeState(
  db: Kysely<Database>,
  userId: string,
  batchId: string,
  codeHash: string,
): Promise<'unused' | 'used' | 'unknown'> {
  const row = await db
    .selectFrom('recovery_codes')
    .select('used_at')
    .where('user_id', '=', userId)
    .where('batch_id', '=', batchId)
    .where('code_hash', '=', codeHash)
    .executeTakeFirst();
  return !row ? 'unknown' : row.used_at === null ? 'unused' : 'used';
}

export async function countRecoveryCodesLeft(db: Kysely<Database>, userId: string, batchId: string | null): Promise<number> {
  if (!batchId) return 0;
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('left'))
    .where('user_id', '=', userId)
    .where('batch_id', '=', batchId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.left);
}

import type { Kysely } from 'kysely';
import type { EnrolledMethod } from '../../../shared/methods.js';
import { insertRecoveryBatch } from '../../store/repositories/recovery-codes.js';
import type { Database } from '../../store/schema.js';
import { hashRecoveryCode, newRecoveryCode } from './recovery-codes.js';

/**
 * Recovery-code batches. A batch is born either live (a regeneration: the old batch dies at once) or
 * pending (an enrollment step: it goes live when the user says the codes are saved, seed 000 step 9).
 * Whichever flow issues it, a batch becomes live only through `makeRecoveryBatchLive`, and a pending
 * batch is kept in one place, `users.pending_recovery_batch_id` (migration 010).
 */

/** Codes whose hashes are stored as a new batch; the plaintext is returned this once. Not live yet. */
async function newBatch(db: Kysely<Database>, userId: string, count: number, now: number): Promise<{ batchId: string; codes: string[] }> {
  const codes = Array.from({ length: count }, newRecoveryCode);
  const batchId = await insertRecoveryBatch(db, userId, codes.map(hashRecoveryCode), now);
  return { batchId, codes };
}

/** A fresh batch that replaces the live one now (the user's or support's regeneration). */
export async function issueLiveRecoveryCodes(db: Kysely<Database>, userId: string, count: number, now: number): Promise<string[]> {
  const { batchId, codes } = await newBatch(db, userId, count, now);
  await makeRecoveryBatchLive(db, userId, batchId);
  return codes;
}

/**
 * The batch of an enrollment step (a factor's confirmation), pending until enrollment completes; it
 * replaces any batch pending before. `factor` records whose confirmation issued it.
 */
export async function issuePendingRecoveryCodes(
  db: Kysely<Database>,
  userId: string,
  count: number,
  factor: EnrolledMethod,
  now: number,
): Promise<string[]> {
  const { batchId, codes } = await newBatch(db, userId, count, now);
  await db
    .updateTable('users')
    .set({ pending_recovery_batch_id: batchId, pending_recovery_factor: factor })
    .where('id', '=', userId)
    .execute();
  return codes;
}

/**
 * Forgets the pending batch a factor's confirmation issued, when that confirmation is undone (the
 * app's enrollment restarted, or reset by support): those codes can never go live.
 */
export async function dropPendingRecoveryCodes(db: Kysely<Database>, userId: string, factor: EnrolledMethod): Promise<void> {
  await db
    .updateTable('users')
    .set({ pending_recovery_batch_id: null, pending_recovery_factor: null })
    .where('id', '=', userId)
    .where('pending_recovery_factor', '=', factor)
    .execute();
}

/**
 * The one way a batch becomes the user's live batch (every older batch stops working with it).
 * `fromPending`: only while it is still the user's pending batch, which it then stops being; that
 * is the claim that lets one of two concurrent completions through. Returns whether it went live.
 */
export async function makeRecoveryBatchLive(
  db: Kysely<Database>,
  userId: string,
  batchId: string,
  options: { fromPending?: boolean } = {},
): Promise<boolean> {
  const update = db.updateTable('users').where('id', '=', userId);
  const result = options.fromPending
    ? await update
        .where('pending_recovery_batch_id', '=', batchId)
        .set({ recovery_batch_id: batchId, pending_recovery_batch_id: null, pending_recovery_factor: null })
        .executeTakeFirst()
    : await update.set({ recovery_batch_id: batchId }).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

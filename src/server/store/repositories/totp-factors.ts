import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import type { Database, TotpFactorsTable } from '../schema.js';

export type TotpFactorRow = Selectable<TotpFactorsTable>;

/** Starts (or restarts) TOTP enrollment: earlier unfinished attempts are dropped. */
export async function insertPendingTotp(db: Kysely<Database>, userId: string, secretEnc: string, now: number): Promise<string> {
  const id = newId();
  await db.deleteFrom('totp_factors').where('user_id', '=', userId).where('status', '!=', 'active').execute();
  await db
    .insertInto('totp_factors')
    .values({
      id,
      user_id: userId,
      secret_enc: secretEnc,
      status: 'pending',
      last_used_step: null,
      created_at: now,
      activated_at: null,
    })
    .execute();
  return id;
}

export function findTotpFactor(db: Kysely<Database>, userId: string, status: TotpFactorRow['status']): Promise<TotpFactorRow | undefined> {
  return db
    .selectFrom('totp_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '=', status)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/**
 * Records that `step` was used, only if it is newer than any step used before. One statement, so of
 * two requests carrying the same code exactly one sees a changed row: the other is a replay.
 */
export async function claimTotpStep(db: Kysely<Database>, factorId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('totp_factors')
    .set({ last_used_step: step })
    .where('id', '=', factorId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
